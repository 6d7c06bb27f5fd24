"""Message-IDs: each derived from what the message is, so that a rerun, a crash or a second process that plans
the same message again meets the same Message-ID, which the outbox's unique key then refuses.

- a reminder: `<aw.r.DECISION.FORUM.YYYYMMDD.bID|aID.sSTAGE@DOMAIN>`, from its ledger key;
- a correction notice: `<aw.c.DECISION.FORUM.OLD.NEW.bID@DOMAIN>`, from its key (the change: the old deadline and
  the new one, each YYYYMMDD); notices sent before migration 0005 keep the ID they went out with,
  `<aw.c.DECISION.FORUM.NEW.bID@DOMAIN>`;
- an advisor's digest: `<aw.d.ADVISOR.NIGHT.HASH@DOMAIN>`, the hash over the items it carries;
- a supervisors' report mail: `<aw.report.NIGHT.HASH@DOMAIN>`, one per address and night.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

import pandas as pd


def message_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "appealwatch.invalid"


def reminder_message_id(key: Mapping[str, Any], domain: str) -> str:
    """Stable across reruns: the same ledger key always gives the same Message-ID."""
    day = key["safe_deadline"]
    # a date (or a Timestamp, a datetime) is written directly; anything else (a text) read as a Timestamp
    deadline = (
        _ymd(day)
        if type(day) is date
        else f"{day:%Y%m%d}"
        if isinstance(day, date) and day is not pd.NaT
        else pd.Timestamp(day).strftime("%Y%m%d")
    )
    return (
        f"<aw.r.{key['decision_id']}.{key['forum']}.{deadline}.{key['recipient_kind'][0]}"
        f"{key['recipient_id']}.s{key['stage']}@{domain}>"
    )


@lru_cache(maxsize=4096)
def _ymd(day: date) -> str:
    """A day as a Message-ID writes it, once per day: a night's reminders share a few hundred deadlines."""
    return f"{day:%Y%m%d}"


def correction_message_id(key: Mapping[str, Any], domain: str) -> str:
    """Stable across reruns: one correction per change (decision, forum, recipient, old and new deadline), so
    that a date that comes back (X -> Y -> Z -> Y) is a new message."""
    old = pd.Timestamp(key["old_deadline"]).strftime("%Y%m%d")
    new = pd.Timestamp(key["new_deadline"]).strftime("%Y%m%d")
    return (
        f"<aw.c.{key['decision_id']}.{key['forum']}.{old}.{new}.{key['recipient_kind'][0]}"
        f"{key['recipient_id']}@{domain}>"
    )


def digest_message_id(advisor_id: int, on: date, keys: list[str], domain: str) -> str:
    # A second run the same night with new items makes a second digest, with only the new items.
    digest = hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:12]
    return f"<aw.d.{advisor_id}.{on:%Y%m%d}.{digest}@{domain}>"


def report_message_prefix(on: date) -> str:
    """What every report mail of the night `on` starts with (for finding, or superseding, that night's)."""
    return f"<aw.report.{on:%Y%m%d}."


def report_message_id(on: date, address: str, domain: str) -> str:
    """One per supervisor's address and night, whatever the case of the address."""
    return f"{report_message_prefix(on)}{hashlib.sha256(address.lower().encode()).hexdigest()[:10]}@{domain}>"
