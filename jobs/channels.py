"""Which notifier delivers which message: the configured channel, built from its settings.

Each message in the outbox carries its channel (`aw_messages.channel`); delivery hands it to the notifier of
that channel. Today an installation has one notifier (`[notifier] kind`), so one channel: the messages of
any other channel would wait in the outbox, untouched, until a notifier for it is configured.
"""

from __future__ import annotations

from jobs.config import Settings
from notifiers import NOTIFIERS, Notifier

DEFAULT_CHANNEL = "email"
"""The channel of every message the night plans today (reminders, digests, report mails)."""


def notifier_class(settings: Settings) -> type[Notifier]:
    """The class of the configured channel (the config only accepts kinds of the registry)."""
    return NOTIFIERS[settings.notifier.kind]


def served_channels(settings: Settings) -> tuple[str, ...]:
    """The channels this installation delivers: the messages delivery may claim."""
    return (notifier_class(settings).channel,)


def make_notifier(settings: Settings) -> Notifier:
    """The channel named in [notifier] kind, built from its own section's settings."""
    cls = notifier_class(settings)
    return cls.from_settings(getattr(settings, cls.section), settings.resolve, settings.smtp_password)
