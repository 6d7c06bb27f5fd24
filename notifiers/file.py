"""The file channel: one ``.eml`` per message in an outbox directory (the demo, dry runs, and offline tests).

Files are written atomically (temp file in the same directory, fsync, ``os.replace``) so an operator or a
mail pick-up process never sees half a message, and they are named ``<UTC timestamp>_<message-id>.eml`` so
``ls`` lists them in the order they were written.
"""

from __future__ import annotations

import email.parser
import email.policy
import os
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from notifiers.base import Attempt, Delivery, Notifier, OutgoingMessage, TransportError, utcnow
from notifiers.message import build_email
from notifiers.settings import ChannelSettings

__all__ = ["FileNotifier", "FileSettings", "private_dir", "sanitise_message_id"]


class FileSettings(ChannelSettings):
    """The file channel's keys. They live in the ``[notifier]`` section, beside ``kind``."""

    outbox_dir: str = "outbox"


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def sanitise_message_id(message_id: str) -> str:
    """The Message-ID as a file-name part: brackets dropped, anything outside ``[A-Za-z0-9._-]`` → ``_``."""
    return _UNSAFE.sub("_", message_id.strip().strip("<>")) or "_"


def private_dir(path: Path) -> None:
    """Make ``path`` and its missing parents readable by their owner only (0700), whatever the umask.

    Folders that already exist are left as they are: an operator may have shared one on purpose.
    """
    missing = []
    folder = path
    while not folder.is_dir() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made meanwhile by another process: not ours to change
        os.chmod(folder, 0o700)  # mkdir's mode passes through the umask


def _delivered(at: datetime, answer: str, path: Path) -> Delivery:
    return Delivery((Attempt(at, True, None, answer, False),), str(path))


def _failed(at: datetime, answer: str, permanent: bool, channel: bool = False) -> TransportError:
    attempt = Attempt(at, False, None, answer, permanent)
    return TransportError(answer, permanent=permanent, attempts=(attempt,), channel=channel)


class FileNotifier(Notifier):
    """Writes each message to ``outbox_dir`` as ``yyyymmddTHHMMSS.ffffff_<message-id>.eml``.

    Exactly once per Message-ID: if a file for the same Message-ID is already there (a crash between the write
    and the ledger's "sent" mark, then a rerun), its path is returned and nothing new is written.
    """

    name = "file"
    channel = "email"  # it writes e-mails, to disk
    section = "notifier"

    def __init__(self, outbox_dir: Path | str, clock: Callable[[], datetime] = utcnow) -> None:
        self.outbox_dir = Path(outbox_dir)
        self._clock = clock

    @classmethod
    def from_settings(
        cls, settings: FileSettings, resolve: Callable[[str], Path], secret: str = ""
    ) -> FileNotifier:
        return cls(resolve(settings.outbox_dir))

    def send(self, msg: OutgoingMessage) -> Delivery:
        now = self._clock().astimezone(UTC)
        try:
            existing = self._existing(msg.message_id)
            if existing is not None:
                return _delivered(now, f"already in outbox: {existing}", existing)
            data = build_email(msg, now=now).as_bytes()
            path = self.outbox_dir / f"{now:%Y%m%dT%H%M%S.%f}_{sanitise_message_id(msg.message_id)}.eml"
            self._write_atomically(path, data)
        except ValueError as exc:  # a malformed address or header: this message can never be written
            raise _failed(now, str(exc), permanent=True) from exc
        except OSError as exc:  # a full disk or a permission problem may well be fixed by tomorrow
            # The outbox's trouble, not this message's: every message would meet it (``channel``).
            raise _failed(now, f"{type(exc).__name__}: {exc}", permanent=False, channel=True) from exc
        return _delivered(now, f"written: {path}", path)

    def _existing(self, message_id: str) -> Path | None:
        """The outbox file already holding this Message-ID, if any.

        The glob on the sanitised suffix can match another id that sanitises alike (``a@b`` and ``a_b``), so
        the candidate's Message-ID header decides.
        """
        if not self.outbox_dir.is_dir():
            return None
        parser = email.parser.BytesHeaderParser(policy=email.policy.default)
        for path in sorted(self.outbox_dir.glob(f"*_{sanitise_message_id(message_id)}.eml")):
            with path.open("rb") as fh:
                if parser.parse(fh).get("Message-ID", "").strip() == message_id:
                    return path
        return None

    def _write_atomically(self, path: Path, data: bytes) -> None:
        """Write a hidden temp file beside ``path``, fsync it, rename it into place, fsync the directory."""
        private_dir(path.parent)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)  # a message holds a family's name, address and case: its owner's eyes only
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        # The rename is only durable once the directory entry is on disk too.
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
