"""Delivery channels. ``NOTIFIERS`` maps the config's ``[notifier] kind`` to the class that implements it.

Import-light on purpose: only the standard library and ``email_validator``, so the CLI starts fast.
"""

from __future__ import annotations

from notifiers.base import Attempt, Delivery, Notifier, OutgoingMessage, TransportError
from notifiers.file import FileNotifier
from notifiers.smtp import SmtpNotifier

__all__ = [
    "NOTIFIERS",
    "Attempt",
    "Delivery",
    "FileNotifier",
    "Notifier",
    "OutgoingMessage",
    "SmtpNotifier",
    "TransportError",
]

NOTIFIERS: dict[str, type[Notifier]] = {cls.name: cls for cls in (FileNotifier, SmtpNotifier)}
