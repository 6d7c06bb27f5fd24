"""The one interface every delivery channel implements.

A channel delivers one message and reports what happened; it never decides policy. Whether a failed
message is tried again tomorrow, escalated or given up is the job's decision, made from the ``Attempt``
records and the ``permanent`` flag a channel returns (the shape of healthchecks' ``Transport.notify()``
raising ``TransportError(msg, permanent=...)``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

__all__ = ["Attachment", "Attempt", "Delivery", "Notifier", "OutgoingMessage", "TransportError", "utcnow"]


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (attempts are recorded in UTC)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (the supervisors' workbook): its name, MIME type and content."""

    filename: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """One rendered message, ready for a channel.

    ``message_id`` is derived by the caller from the ledger key, so a retried or re-delivered message keeps
    the same Message-ID and recipients' mail systems can recognise a duplicate.
    """

    message_id: str
    sender: str
    to_name: str
    to_addr: str
    subject: str
    text: str
    html: str | None
    reply_to: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    language: str | None = None
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True)
class Attempt:
    """One try at handing a message over: what the other side (or the network) answered."""

    at: datetime
    ok: bool
    code: int | None
    answer: str
    permanent: bool


@dataclass(frozen=True)
class Delivery:
    """A successful delivery: every attempt it took (the last one ``ok``) and a human-readable detail."""

    attempts: tuple[Attempt, ...]
    detail: str


class TransportError(Exception):
    """Delivery failed. ``permanent`` says whether trying the same message again can help.

    ``channel`` says the channel itself cannot send anything (the relay refused the login, the TLS set-up or
    the sender): no message is at fault, so none may be failed for it; the caller stops and keeps them all.
    ``attempts`` holds every attempt made, so the caller can record them all even on failure.
    """

    def __init__(
        self, message: str, *, permanent: bool, attempts: tuple[Attempt, ...] = (), channel: bool = False
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.attempts = attempts
        self.channel = channel

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class Notifier(ABC):
    """A delivery channel.

    ``send()`` works on its own; inside ``with notifier:`` (or between ``open()`` and ``close()``) a channel
    may keep resources, such as one SMTP connection, for the whole batch.

    ``name`` is the config's ``[notifier] kind``; ``channel`` is what the outbox records for each message it
    delivers (``aw_messages.channel``: "email" for both the file and the SMTP notifier, as the file notifier
    writes e-mails to disk); ``section`` is the config.toml section that holds the keys of its settings model.
    """

    name: ClassVar[str]
    channel: ClassVar[str]
    section: ClassVar[str]

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Any, resolve: Callable[[str], Path], secret: str = "") -> Self:
        """Build the channel from its section's settings; ``resolve`` anchors a relative path of the file at
        the file's folder, ``secret`` is what the configuration read from the environment (a password)."""

    @abstractmethod
    def send(self, msg: OutgoingMessage) -> Delivery:
        """Deliver ``msg`` once; raise ``TransportError`` when it could not be delivered."""

    def open(self) -> None:  # noqa: B027 - a no-op by default on purpose
        """Start a batch (channels without batch state need not override this)."""

    def close(self) -> None:  # noqa: B027 - a no-op by default on purpose
        """End a batch and release what ``open()`` or ``send()`` kept."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
