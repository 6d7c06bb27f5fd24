"""The states of the project's own tables, defined once: a message in the outbox, a key in the ledger, a run.

Each is a `StrEnum`, so a member equals the plain string stored in the `status` column and code that still
writes the literal keeps working. `jobs/store.py` declares a CHECK constraint from each enum (and the
migration 0002 adds the same ones), so a state the code does not know can never reach the database; a test
(tests/test_states.py) checks that every state the code writes is in its enum.

A new state is added here and in a new migration that widens its CHECK constraint.
"""

from __future__ import annotations

from enum import StrEnum


class MessageStatus(StrEnum):
    """`aw_messages.status`: pending -> sending (claimed) -> sent | failed; or settled before it went out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # refused for good (a permanent answer)
    EXPIRED = "expired"  # its deadline passed before it could go out
    SUPERSEDED = "superseded"  # no longer true (the window changed, a later stage or report replaced it)


class LedgerStatus(StrEnum):
    """`aw_reminders.status`: what became of one reminder stage for one recipient (never acted on again)."""

    QUEUED = "queued"  # has a message in the outbox
    SKIPPED = "skipped"  # a more urgent stage was due the same night
    UNREACHABLE = "unreachable"  # no usable address: the report lists the family to write to or call


class MessageKind(StrEnum):
    """`aw_messages.kind`: what a message is (its templates are `templates/<kind>/`, but for the report)."""

    REMINDER = "reminder"  # a reminder stage to a family
    DIGEST = "digest"  # an advisor's nightly digest
    REPORT = "report"  # the supervisors' report mail
    CORRECTION = "correction"  # a family told that a deadline we quoted changed (jobs/corrections.py)


class RunStatus(StrEnum):
    """`aw_runs.status`: a run, a delivery or a report, from its start to its outcome."""

    RUNNING = "running"
    OK = "ok"  # exit 0
    PARTIAL = "partial"  # exit 1: done, but rows or deliveries failed
    FAILED = "failed"  # any other exit code
    STOPPED = "stopped"  # a signal stopped it; what waits goes out with the next run
    REFUSED = "refused"  # never started: another run held the lock (exit 3)
    DIED = "died"  # found `running` with its process gone (killed, or the machine stopped)


def check_in(column: str, states: type[StrEnum]) -> str:
    """The SQL of a CHECK constraint that allows exactly `states` in `column` (the same on both databases)."""
    return f"{column} IN ({', '.join(repr(str(s.value)) for s in states)})"
