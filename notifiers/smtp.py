"""The SMTP channel: hands each message to a relay with smtplib, retrying what a retry can fix.

Transient trouble (4xx answers, a dropped connection, a timeout, a relay that is down) is retried on a fresh
connection with exponential backoff; a 5xx answer or a configuration problem (no STARTTLS, bad password)
fails at once, because sending the same thing again cannot help. Every try is returned as an ``Attempt``.

Caveat, inherent to SMTP (RFC 1047): if the connection drops after the message data was sent but before the
server's "250", the relay may have queued it, and the retry can deliver a duplicate. The stable Message-ID
lets the recipient's mail system spot it.
"""

from __future__ import annotations

import contextlib
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, field_validator

from notifiers.base import Attempt, Delivery, Notifier, OutgoingMessage, TransportError, utcnow
from notifiers.message import email_bytes, normalize_address, sender_mailbox
from notifiers.settings import ChannelSettings

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

__all__ = ["Security", "SmtpNotifier", "SmtpSettings"]

Security = Literal["none", "starttls", "ssl"]


class SmtpSettings(ChannelSettings):
    """The SMTP channel's keys: the ``[smtp]`` section (``sender`` is also the From of the file channel)."""

    host: str = "localhost"
    port: Annotated[int, Field(ge=1, le=65535)] = 25
    security: Security = "none"
    username: str = ""
    password_env: str = "APPEALWATCH_SMTP_PASSWORD"
    sender: str = "Infino <no-reply@infino.example>"
    timeout: Annotated[float, Field(gt=0)] = 30.0
    max_attempts: Annotated[int, Field(ge=1, le=10)] = 3
    backoff_seconds: Annotated[float, Field(ge=0)] = 2.0
    # A CA bundle for a relay whose certificate an internal CA signed; empty: the system's trust store.
    ca_file: str = ""

    @field_validator("timeout", "backoff_seconds", mode="before")
    @classmethod
    def _int_is_a_number(cls, value: Any) -> Any:
        # `timeout = 30` is a number too; strict mode would otherwise refuse an int for a float.
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("sender")
    @classmethod
    def _sender_is_an_address(cls, value: str) -> str:
        from email.utils import parseaddr

        _name, addr = parseaddr(value)
        if "@" not in addr or any(c in value for c in "\r\n"):
            raise ValueError(f"not an e-mail address with an optional name: {value!r}")
        return value

    def longest_send(self) -> float:
        """Seconds one message may take at worst: each try may spend a timeout on each step (connect,
        greeting, EHLO, STARTTLS, EHLO, AUTH, MAIL, RCPT, DATA, the end of data: about 8 in practice), plus the
        waits between tries. A claim must outlive it, or a second worker could send the message again."""
        return self.max_attempts * 8 * self.timeout + sum(
            self.backoff_seconds * 2**i for i in range(self.max_attempts - 1)
        )


_LEADING_DOT = re.compile(rb"(?m)^\.")


class _SMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that keeps the server's answer to DATA, which ``sendmail()`` throws away, and sends
    one message in two round trips instead of four where the server offers PIPELINING."""

    data_reply: tuple[int, bytes] = (0, b"")

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_reply = super().data(msg)
        return self.data_reply

    def pipelined_sendmail(self, from_addr: str, to_addr: str, msg: bytes, mail_options: list[str]) -> None:
        """``sendmail(from_addr, [to_addr], msg, mail_options)`` with MAIL, RCPT and DATA in one write
        (RFC 2920), their answers read in order, then the message: raises what ``sendmail()`` raises for the
        same answers (a refused sender, recipient or message, a 421 closing the connection), and keeps the
        answer to the message in ``data_reply``. Only for a server that advertises PIPELINING."""
        options = ([f"size={len(msg)}"] if self.has_extn("size") else []) + mail_options
        if any(option.lower() == "smtputf8" for option in options):
            if not self.has_extn("smtputf8"):
                raise smtplib.SMTPNotSupportedError("SMTPUTF8 not supported by server")
            self.command_encoding = "utf-8"
        listed = "".join(f" {option}" for option in options)
        commands = (
            f"mail FROM:{smtplib.quoteaddr(from_addr)}{listed}\r\n"
            f"rcpt TO:{smtplib.quoteaddr(to_addr)}\r\n"
            "data\r\n"
        )
        if commands.count("\r") != 3 or commands.count("\n") != 3:
            raise ValueError("a command would contain a line break")  # as putcmd() refuses it
        self.send(commands)
        code, answer = self.getreply()
        if code != 250:
            self._refused(code, 2)
            raise smtplib.SMTPSenderRefused(code, answer, from_addr)
        code, answer = self.getreply()
        if code not in (250, 251):
            self._refused(code, 1)
            raise smtplib.SMTPRecipientsRefused({to_addr: (code, answer)})
        code, answer = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, answer)  # as data() raises it: no RSET, no close
        quoted = _LEADING_DOT.sub(b"..", msg)
        self.send(quoted + (b"" if quoted.endswith(b"\r\n") else b"\r\n") + b".\r\n")
        self.data_reply = code, answer = self.getreply()
        if code != 250:
            if code == 421:
                self.close()
            else:
                self._quiet_rset()
            raise smtplib.SMTPDataError(code, answer)

    def _quiet_rset(self) -> None:
        """RSET, a disconnect ignored (the connection is then closed), as sendmail() does after a refusal."""
        with contextlib.suppress(smtplib.SMTPServerDisconnected):
            self.rset()

    def _refused(self, code: int, pending: int) -> None:
        """After a refused MAIL or RCPT: a 421 closes the connection, as sendmail() does; otherwise the
        `pending` answers to the commands sent behind it are read first, then RSET. A server that answered
        DATA with 354 all the same is cut off rather than sent an empty message."""
        if code == 421:
            self.close()
            return
        try:
            answers = [self.getreply()[0] for _ in range(pending)]
        except smtplib.SMTPServerDisconnected:
            return  # getreply() has closed the connection
        if answers[-1] == 354:
            self.close()
        else:
            self._quiet_rset()


class _SMTP_SSL(smtplib.SMTP_SSL, _SMTP):
    pass


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _classify(exc: Exception) -> tuple[int | None, str, bool]:
    """``(code, answer, permanent)`` for a failed try: 5xx and configuration errors are permanent."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, answer = next(iter(exc.recipients.values()))
        return code, _text(answer), 500 <= code < 600
    if isinstance(exc, smtplib.SMTPResponseException):  # sender refused, data error, auth failure, ...
        return exc.smtp_code, _text(exc.smtp_error), 500 <= exc.smtp_code < 600
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        permanent = False
    else:
        # What is left of smtplib's errors (no STARTTLS, AUTH or SMTPUTF8), a certificate that does not verify
        # and a password smtplib cannot encode are configuration: no retry in a few seconds fixes them. The
        # rest are OSErrors (refused, reset, timed out): transient. (SMTPException is an OSError: order matters.)
        permanent = isinstance(exc, smtplib.SMTPException | ssl.SSLCertVerificationError | UnicodeError)
    return None, f"{type(exc).__name__}: {exc}", permanent


def _about_the_message(exc: smtplib.SMTPResponseException) -> bool:
    """A refusal at MAIL FROM that concerns this message (too big, bad parameters), not the sender."""
    text = _text(exc.smtp_error)
    return exc.smtp_code in (552, 555) or "5.3.4" in text or "5.2.3" in text


_ADDRESS = re.compile(r"<[^>]*>|[\w.+-]+@[\w.-]+")
# Words of a refusal that is about the relay or the sender, never about one recipient: "Relay access denied",
# "Authentication required", "Sender address rejected", "Client host rejected", SPF/DMARC of our domain.
_CHANNEL_WORDS = re.compile(
    r"relay|authenticat|\bauth\b|sender|client host|not permitted to send|\bspf\b|dmarc|"
    r"block ?list|black ?list",
    re.IGNORECASE,
)
# RFC 3463/RFC 7372 status codes about the sender or the client's credentials, not the recipient.
_CHANNEL_STATUS = {"5.1.7", "5.1.8", "5.7.8", "5.7.9", "5.7.11", "5.7.25", "5.7.26", "5.7.27"}


def without_addresses(answer: str) -> str:
    """The server's answer with e-mail addresses taken out: for comparing answers and for the log."""
    return _ADDRESS.sub("<address>", answer)


def refuses_the_channel(code: int | None, answer: str) -> bool:
    """A permanent refusal that names the relay, the sender or the login: every message would get it, so
    none is at fault (``554 5.7.1 <a@b>: Relay access denied``, ``530 5.7.0 Authentication required``)."""
    if code is None:
        return False
    words = without_addresses(answer)
    status = re.search(r"\b5\.\d{1,3}\.\d{1,3}\b", words)
    return (
        code in (530, 535, 538)
        or (status is not None and status.group(0) in _CHANNEL_STATUS)
        or bool(_CHANNEL_WORDS.search(words))
    )


class SmtpNotifier(Notifier):
    """Sends through one SMTP relay; inside ``with notifier:`` one connection serves the whole batch.

    Not thread-safe: give each worker its own instance (and so its own connection).
    """

    name = "smtp"
    channel = "email"
    section = "smtp"

    @classmethod
    def from_settings(
        cls, settings: SmtpSettings, resolve: Callable[[str], Path], secret: str = ""
    ) -> SmtpNotifier:
        """``secret`` is the password the configuration read from the variable named by ``password_env``."""
        ca_file = settings.ca_file
        context = ssl.create_default_context(cafile=str(resolve(ca_file))) if ca_file else None
        return cls(
            host=settings.host,
            port=settings.port,
            security=settings.security,
            username=settings.username,
            password=secret,
            timeout=settings.timeout,
            max_attempts=settings.max_attempts,
            backoff=settings.backoff_seconds,
            ssl_context=context,
        )

    def __init__(
        self,
        host: str,
        port: int,
        security: Security = "none",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
        max_attempts: int = 3,
        backoff: float = 1.0,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError(f"security must be 'none', 'starttls' or 'ssl', not {security!r}")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.host, self.port, self.security = host, port, security
        self.username, self.password = username, password
        self.timeout, self.max_attempts, self.backoff = timeout, max_attempts, backoff
        self.local_hostname = local_hostname
        self._ssl_context = ssl_context
        self._sleep = sleep
        self._conn: _SMTP | None = None
        self._batch = False

    def open(self) -> None:
        self._batch = True  # connect lazily, on the first send()

    def close(self) -> None:
        self._batch = False
        self._disconnect(polite=True)

    def send(self, msg: OutgoingMessage) -> Delivery:
        attempts: list[Attempt] = []
        try:
            # A non-ASCII local part needs raw UTF-8 headers: the relay must speak SMTPUTF8.
            data, utf8 = email_bytes(msg)
            sender, rcpt = sender_mailbox(msg.sender).addr_spec, normalize_address(msg.to_addr)
        except ValueError as exc:  # this message can never be sent: say so as one permanent attempt
            attempts.append(Attempt(utcnow(), False, None, str(exc), True))
            raise TransportError(str(exc), permanent=True, attempts=tuple(attempts)) from exc
        try:
            for number in range(1, self.max_attempts + 1):
                if number > 1:
                    self._sleep(self.backoff * 2 ** (number - 2))
                try:
                    conn = self._connection()
                except (smtplib.SMTPException, OSError, UnicodeError) as exc:
                    code, answer, permanent = _classify(exc)
                    attempts.append(Attempt(utcnow(), False, code, answer, permanent))
                    if permanent:  # login, TLS or STARTTLS refused: the channel's fault, not this message's
                        raise TransportError(
                            answer, permanent=True, attempts=tuple(attempts), channel=True
                        ) from exc
                    continue  # refused, reset, timed out: try again on a fresh connection
                try:
                    if utf8 and not conn.has_extn("smtputf8"):
                        raise smtplib.SMTPNotSupportedError("an address needs SMTPUTF8, the server lacks it")
                    options = ["SMTPUTF8"] if utf8 else []
                    if conn.has_extn("pipelining"):  # two round trips a message instead of four
                        conn.pipelined_sendmail(sender, rcpt, data, options)
                    else:
                        refused = conn.sendmail(sender, [rcpt], data, mail_options=options)
                        if refused:  # cannot happen with one recipient (smtplib raises), kept as a safeguard
                            raise smtplib.SMTPRecipientsRefused(refused)
                except (smtplib.SMTPException, OSError, UnicodeError) as exc:
                    code, answer, permanent = _classify(exc)
                    attempts.append(Attempt(utcnow(), False, code, answer, permanent))
                    if permanent:
                        self._reset_or_drop()
                        # A refused sender refuses every message: the channel's fault, like a bad login;
                        # but not a refusal of this message's size (552, 5.3.4), which is this message's own.
                        # So is a refusal that names the relay or the login ("Relay access denied" at RCPT).
                        if isinstance(exc, smtplib.SMTPSenderRefused):
                            channel = not _about_the_message(exc)
                        else:
                            channel = refuses_the_channel(code, answer)
                        raise TransportError(
                            answer, permanent=True, attempts=tuple(attempts), channel=channel
                        ) from exc
                    self._disconnect(polite=False)  # retry on a fresh connection
                    continue
                code, answer = conn.data_reply[0], _text(conn.data_reply[1])
                attempts.append(Attempt(utcnow(), True, code, answer, False))
                return Delivery(tuple(attempts), f"{code} {answer}")
            answer = f"gave up after {len(attempts)} attempts: {attempts[-1].answer}"
            raise TransportError(answer, permanent=False, attempts=tuple(attempts))
        finally:
            if not self._batch:
                self._disconnect(polite=True)

    def _context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    def _connection(self) -> _SMTP:
        """The open connection, or a new one: connected, TLS set up as configured, logged in."""
        if self._conn is not None:
            return self._conn
        # The constructor connects and reads the banner (closing the socket itself if that fails); it also
        # remembers the host name that STARTTLS and implicit TLS verify the certificate against.
        host, port, local, timeout = self.host, self.port, self.local_hostname, self.timeout
        conn: _SMTP
        if self.security == "ssl":
            conn = _SMTP_SSL(host, port, local_hostname=local, timeout=timeout, context=self._context())
        else:
            conn = _SMTP(host, port, local_hostname=local, timeout=timeout)
        try:
            conn.ehlo()  # learn the extensions (STARTTLS, AUTH, SMTPUTF8) before relying on them
            if self.security == "starttls":
                if not conn.has_extn("starttls"):
                    # Never fall back to clear text: the password and the families' data would travel in it.
                    raise smtplib.SMTPNotSupportedError("security 'starttls' but the server lacks STARTTLS")
                conn.starttls(context=self._context())
                conn.ehlo()
            if self.username:
                conn.login(self.username, self.password)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _reset_or_drop(self) -> None:
        """After a refused transaction: RSET, so the connection can carry the next message, or drop it.

        smtplib's ``sendmail()`` already sends RSET but swallows a disconnect; ours tells us the connection is
        still usable.
        """
        if self._conn is not None:
            try:
                self._conn.rset()
            except (smtplib.SMTPException, OSError):
                self._disconnect(polite=False)

    def _disconnect(self, polite: bool) -> None:
        """Close the connection, with QUIT when it is healthy (``polite``), abruptly otherwise."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if polite:
                conn.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            conn.close()
