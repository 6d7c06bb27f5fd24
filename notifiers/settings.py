"""The base of every channel's settings model: the keys of its section of config.toml.

Each notifier owns its model (``FileSettings`` beside ``FileNotifier``, ``SmtpSettings`` beside
``SmtpNotifier``); ``jobs/config.py`` only places them in the file's sections. Strict like the rest of the
configuration: TOML has real types, so ``"25"`` for a port is a mistake worth reporting, not coercing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["ChannelSettings"]


class ChannelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
