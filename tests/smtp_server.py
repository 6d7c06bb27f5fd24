"""A real SMTP server on loopback for any test in the project (aiosmtpd in a thread), no smtplib mocks.

    with SmtpTestServer() as server:
        SmtpNotifier(**server.client_kwargs()).send(msg)
        [received] = server.messages

Options: ``starttls=True`` or ``ssl=True`` (a throwaway certificate from a ``trustme`` CA; clients trust it
with ``server.client_ssl_context()``), ``auth=("user", "secret")`` (AUTH required before MAIL), and
``script=`` to make the server misbehave on cue (see ``answer_times``, ``refuse_recipient``, ``drop_times``),
``smtputf8=False`` for a relay without SMTPUTF8. ``free_port()`` and ``silent_port()`` stand in for a relay
that is down or hangs.
"""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, Self

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = [
    "DROP",
    "Received",
    "Script",
    "SmtpTestServer",
    "answer_times",
    "drop_times",
    "free_port",
    "refuse_recipient",
    "silent_port",
]

HOST: Final = "127.0.0.1"
DROP: Final = "DROP"
"""A script returns this to close the connection instead of answering."""

Script = Callable[[str, str | None], str | None]
"""``script(event, address)`` with event ``"MAIL"`` or ``"RCPT"`` (address given) or ``"DATA"`` (address None): returns
the reply to send (``"451 4.3.0 try later"``), ``DROP``, or None for the normal "250"."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on (just now). Also a stand-in for "the relay is down"."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts TCP connections (into the backlog) but never says a word: a hung relay."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def answer_times(reply: str, times: int, on: str = "DATA") -> Script:
    """Answer ``reply`` to the first ``times`` events ``on`` ("RCPT" or "DATA"), then behave."""
    return _counting(lambda _address: reply, times, on)


def drop_times(times: int = 1, on: str = "DATA") -> Script:
    """Close the connection (no answer) at the first ``times`` events ``on``, then behave."""
    return _counting(lambda _address: DROP, times, on)


def refuse_recipient(address: str, reply: str = "550 5.1.1 no such user") -> Script:
    """Refuse one recipient at RCPT every time; accept everyone else."""

    def script(event: str, addr: str | None) -> str | None:
        return reply if event == "RCPT" and addr == address else None

    return script


def _counting(answer: Callable[[str | None], str], times: int, on: str) -> Script:
    lock, left = threading.Lock(), [times]

    def script(event: str, address: str | None) -> str | None:
        with lock:
            if event != on or left[0] <= 0:
                return None
            left[0] -= 1
        return answer(address)

    return script


@dataclass(frozen=True)
class Received:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    message: email.message.EmailMessage
    tls: bool
    login: str | None
    """The AUTH user name when the client authenticated, else None."""


class _Handler:
    def __init__(self, owner: SmtpTestServer) -> None:
        self.owner = owner

    async def handle_EHLO(  # aiosmtpd's hook names
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname  # what aiosmtpd does itself when there is no hook
        if self.owner.pipelining:  # aiosmtpd reads pipelined commands in order but does not advertise it
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.owner.script("MAIL", address) if self.owner.script else None
        if reply == DROP:
            return _drop(server)
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        reply = self.owner.script("RCPT", address) if self.owner.script else None
        if reply == DROP:
            return _drop(server)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        reply = self.owner.script("DATA", None) if self.owner.script else None
        if reply == DROP:
            return _drop(server)
        if reply:
            return reply
        raw = envelope.original_content or b""
        assert server.transport is not None
        received = Received(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=raw,
            # Parsed from text so that raw UTF-8 headers (SMTPUTF8, RFC 6532) come out right.
            message=email.message_from_string(
                raw.decode("utf-8", "surrogateescape"), policy=email.policy.default
            ),
            tls=server.transport.get_extra_info("ssl_object") is not None,
            login=session.auth_data if session.authenticated else None,
        )
        number = self.owner._record(received)
        return f"250 2.0.0 OK queued as {number}"


def _drop(server: SMTP) -> str:
    """Close the client's connection; aiosmtpd's reply then goes nowhere."""
    assert server.transport is not None
    server.transport.close()
    return "421 4.4.2 connection dropped"


class SmtpTestServer:
    """aiosmtpd on 127.0.0.1 and a free port, started by ``with`` (or ``start()``/``stop()``).

    ``pipelining``: advertise PIPELINING (RFC 2920) in the EHLO answer; by default
    ``SmtpTestServer.pipelining_by_default``, which a test module may switch to run its tests both ways.
    """

    pipelining_by_default = False

    def __init__(
        self,
        *,
        starttls: bool = False,
        ssl: bool = False,
        auth: tuple[str, str] | None = None,
        script: Script | None = None,
        smtputf8: bool = True,
        pipelining: bool | None = None,
        ready_timeout: float = 5.0,
    ) -> None:
        if starttls and ssl:
            raise ValueError("choose starttls or ssl, not both")
        self.starttls, self.ssl, self.auth, self.script = starttls, ssl, auth, script
        self.smtputf8 = smtputf8
        self.pipelining = self.pipelining_by_default if pipelining is None else pipelining
        self.host = HOST
        self.port = 0
        self.ready_timeout = ready_timeout
        self.ca = trustme.CA()
        self._cert = self.ca.issue_cert(HOST, "localhost")
        self._lock = threading.Condition()
        self._messages: list[Received] = []
        self._connections = 0
        self._controller: Controller | None = None

    # -- what tests look at -------------------------------------------------------------------------------

    @property
    def messages(self) -> list[Received]:
        """A copy of what was received so far, in order."""
        with self._lock:
            return list(self._messages)

    @property
    def connections(self) -> int:
        """TCP connections clients opened (aiosmtpd's own start-up probe not counted)."""
        with self._lock:
            return self._connections

    def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until ``count`` messages arrived (for senders in another thread or process)."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(f"expected {count} messages, got {len(self._messages)}")
            return list(self._messages)

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's throwaway CA (and verifies the host name)."""
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx

    def client_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``notifiers.smtp.SmtpNotifier`` that reach this server, fast and verified."""
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": "ssl" if self.ssl else "starttls" if self.starttls else "none",
            "username": self.auth[0] if self.auth else "",
            "password": self.auth[1] if self.auth else "",
            "timeout": 5.0,
            "ssl_context": self.client_ssl_context(),
            "local_hostname": "client.test",  # skip socket.getfqdn(), which can stall on a bad resolver
            "sleep": lambda _seconds: None,
        }
        kwargs.update(overrides)
        return kwargs

    # -- life cycle ---------------------------------------------------------------------------------------

    def start(self) -> Self:
        """Start on a free port; retry when another process grabbed the port in between."""
        for attempt in range(5):
            controller = self._make_controller(free_port())
            try:
                controller.start()
            except OSError:
                controller.stop(no_assert=True)
                if attempt == 4:
                    raise
                continue
            with self._lock:
                self._connections = 0  # forget the Controller's own readiness probe
            self._controller, self.port = controller, controller.port
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- internals ----------------------------------------------------------------------------------------

    def _record(self, received: Received) -> int:
        with self._lock:
            self._messages.append(received)
            self._lock.notify_all()
            return len(self._messages)

    def _count_connection(self) -> None:
        with self._lock:
            self._connections += 1

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self.auth is not None
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login, password = data.login.decode(), data.password.decode()
        ok = (login, password) == self.auth
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    def _make_controller(self, port: int) -> Controller:
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(server_ctx)
        kwargs: dict[str, Any] = {
            "hostname": HOST,
            "port": port,
            "ready_timeout": self.ready_timeout,
            "server_hostname": "smtp.test",  # the banner name; avoids socket.getfqdn() in the server
            "timeout": 30,  # idle clients are cut off, so a broken test cannot hold a thread forever
            "enable_SMTPUTF8": self.smtputf8,
        }
        if self.starttls:
            kwargs.update(tls_context=server_ctx, require_starttls=True)
        if self.ssl:
            kwargs["ssl_context"] = server_ctx  # implicit TLS; the readiness probe skips verification
        if self.auth:
            # aiosmtpd only counts STARTTLS as "TLS" for AUTH: over implicit TLS (or plain text, on purpose)
            # AUTH must be allowed without it, else the server does not even advertise AUTH.
            kwargs.update(authenticator=self._authenticate, auth_required=True)
            kwargs["auth_require_tls"] = self.starttls
        return _CountingController(self, _Handler(self), **kwargs)


class _CountingController(Controller):
    """Counts every connection: aiosmtpd builds one SMTP protocol object per connection in ``factory()``."""

    def __init__(self, owner: SmtpTestServer, handler: _Handler, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._owner = owner

    def factory(self) -> SMTP:
        self._owner._count_connection()
        return super().factory()
