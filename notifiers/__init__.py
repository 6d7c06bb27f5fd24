"""Delivery channels. ``NOTIFIERS`` maps the config's ``[notifier] kind`` to the class that implements it.

The registry is the one list of channels: the configuration accepts exactly its kinds, and each class brings
its settings model (``section``), the channel it delivers (``channel``, recorded with each message in the
outbox) and ``from_settings()``. Import-light on purpose: the standard library, ``email_validator`` and
``pydantic`` (for the settings models), so the CLI starts fast. Nothing here imports ``jobs``.
"""

from __future__ import annotations

from notifiers.base import Attempt, Delivery, Notifier, OutgoingMessage, TransportError
from notifiers.file import FileNotifier, FileSettings
from notifiers.smtp import SmtpNotifier, SmtpSettings

__all__ = [
    "CHANNELS",
    "NOTIFIERS",
    "Attempt",
    "Delivery",
    "FileNotifier",
    "FileSettings",
    "Notifier",
    "OutgoingMessage",
    "SmtpNotifier",
    "SmtpSettings",
    "TransportError",
]

NOTIFIERS: dict[str, type[Notifier]] = {cls.name: cls for cls in (FileNotifier, SmtpNotifier)}
CHANNELS: frozenset[str] = frozenset(cls.channel for cls in NOTIFIERS.values())
"""Every channel a message in the outbox can be on ("email" today)."""
