"""The project's words, defined once: decision kinds, forums, window statuses and languages.

Every other module imports them from here (the engine, the row checks, the calendar, the configuration, the
mails), so a new word is added in one place; tests/test_vocabulary.py then fails until the rules, the phrases
and the templates say what it needs.

Kinds, forums and languages are `Literal` types (mypy checks every rule and the configuration against them)
with their tuple of values beside them; the statuses are a `StrEnum` whose members compare equal to the plain
strings the engine writes in its `status` column.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal, get_args

Kind = Literal["payment", "care_allowance", "beneficiary_designation", "arbitration_ruling"]
"""decisions.kind (contract): what a decision is about."""
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

Forum = Literal["arbitration", "labour_court", "family_court"]
"""appeals.forum (contract), and where a window's appeal goes."""
FORUMS: Final[tuple[Forum, ...]] = get_args(Forum)

Language = Literal["nl", "fr", "de", "en"]
"""The languages of the mails, of config's fallback_language and of the holiday names."""
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)


class Status(StrEnum):
    """A window's status on a day. When several apply, the first in this order wins (domain.md)."""

    NOT_NOTIFIED = "not_notified"
    WITHDRAWN = "withdrawn"
    APPEALED = "appealed"
    INTERRUPTED = "interrupted"
    OPEN = "open"
    GRACE = "grace"
    EXPIRED = "expired"


STATUSES: Final[tuple[str, ...]] = tuple(status.value for status in Status)
