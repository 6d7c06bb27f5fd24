"""Corrections: when a date we gave was wrong (shared rules: "When a date we gave was wrong").

Data changes after a reminder went out: a complaint recorded late, a notification date corrected, the appeal
information flag fixed. When tonight's open window of a decision and forum has a safe deadline other than the
one the last message *delivered* to the family quoted (a reminder, or an earlier correction), the family gets
one correction notice in their language: the old date, the new date, which one holds and why. It goes out
tonight whatever the stage offsets say (an earlier date is urgent; a later one is told too, once).

Exactly once per change: the ledger of corrections (`aw_corrections`) is keyed by the change (decision, forum,
recipient, old deadline, new deadline), written with the night's plan in one transaction (ON CONFLICT DO NOTHING), and a key
in it is never acted on again; a rerun or the next night finds it and sends nothing. A date that comes back
(X -> Y -> Z -> Y) is a new change (Z -> Y), told again. The notice's Message-ID is derived from that key
(`jobs.outbox.ids.correction_message_id`).

A new deadline already past when the change is seen: while the window is in grace (its latest deadline not
past) the family's notice says the date we gave was wrong, the safe date has passed, until when an appeal is
still possible and to contact the advisor now; once nothing is possible any more (expired) no mail goes to the
family, and the advisor's digest and the report list the family to call, with the reason (the ledger row is
`unreachable`, its detail says why).

A correction an outage held in the outbox goes out only while it is still true (`jobs.outbox.settle`): when
the deadline changed again before it went out it is superseded, and tonight's notice names the date last
delivered and tonight's one (X -> Z, never the Y the family never received). One that expired undelivered
(nothing possible any more) puts the family in that night's advisor digest to call, once
(`jobs.outbox.settle.expired_held`).

A deadline that disappears (an appeal recorded, the decision withdrawn, a complaint still open) sends no
notice: the window is no longer open, so only its reminders stop. The advisor's digest lists the night's
corrections, and the supervisors' report lists every correction of the night.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from jobs.inputs import read_by_ids
from jobs.store import as_date, as_datetime

# Why the deadline changed, as tonight's window explains its date; the templates say each in one sentence.
WHY_COMPLAINT = "complaint"  # a complaint to the complaints service restarted the term
WHY_ART89 = "art89"  # the decision lacked the appeal information: the term starts four months later
WHY_INFORMED = "informed"  # the day the family was informed (or the decision's data) was corrected
WHY = (WHY_COMPLAINT, WHY_ART89, WHY_INFORMED)


# The window states in which a changed deadline is told: open; grace (the new safe deadline has passed, the
# latest not: the family is told until when an appeal is still possible); expired (nothing is possible any
# more: no mail to the family, the advisor's digest and the report list the family to call).
TOLD = ("open", "grace", "expired")
LATE = ("grace", "expired")


def too_late_detail(new: date, latest: date) -> str:
    """The ledger's detail (and the report's reason) for a change seen when nothing is possible any more."""
    return f"too late: the new safe deadline {new} and the latest deadline {latest} had passed when the change was seen: call the family"


def undelivered_detail(old: date, new: date, latest: date) -> str:
    """The ledger's detail for a notice an outage held until nothing was possible any more: the family was not
    told, so tonight's advisor digest lists them to call (once: this detail marks it done)."""
    return (
        f"too late: the notice {old} -> {new} was not delivered before the latest deadline {latest} had "
        "passed: call the family"
    )


def is_too_late(detail: Any) -> bool:
    """A ledger row of a correction whose family is to be called (seen too late, or its notice expired held)."""
    return str(detail or "").startswith("too late")


def why_code(trigger_reason: Any) -> str:
    """Which sentence explains a new deadline, from the reason tonight's window gives for its date."""
    if trigger_reason == "complaint_closed":
        return WHY_COMPLAINT
    if trigger_reason == "art89_four_months":
        return WHY_ART89
    return WHY_INFORMED


def _sent_times(sent_at: pd.Series) -> pd.Series:
    """Each message's sent_at as the latest is chosen by it (the wall time, its zone dropped), as one column:
    PostgreSQL's timestamps arrive as one zoned column, SQLite's as the ISO text SQLAlchemy wrote."""
    if isinstance(sent_at.dtype, pd.DatetimeTZDtype):
        return sent_at.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(sent_at.dtype):
        return sent_at
    # Text (SQLite), or zoned values of different offsets (object): each read on its own.
    walls = [as_datetime(v).replace(tzinfo=None) for v in sent_at]
    return pd.Series(walls, index=sent_at.index, dtype="datetime64[ns]")


# The ledger's reads go through jobs.inputs.read_by_ids (sql/*.sql, the driver's own statement and tuples, the
# ids one array on PostgreSQL): SQLAlchemy's expanding `IN` of 1,000 ids per read cost a 1M night 1.5 s of
# compiling and of psycopg parsing statements too long to cache, on a first night for an empty ledger.
QUOTED = ["decision_id", "forum", "recipient_id", "deadline", "sent_at", "id", "source"]
KEY = ["decision_id", "forum", "recipient_id"]


def _keys(frame: pd.DataFrame, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The rows' (decision, forum[, family]) as plain ints and text, column by column."""
    converted = [
        frame[c].astype(str).tolist() if c == "forum" else frame[c].astype("int64").tolist() for c in columns
    ]
    return zip(*converted, strict=True)


def last_quoted(conn: Connection, decision_ids: Iterable[int]) -> dict[tuple[int, str, int], date]:
    """Per (decision, forum, family): the safe deadline of the last message delivered to the family about it,
    a reminder or a correction (by the time it was sent, then the message's id)."""
    rows = read_by_ids(conn, "last_quoted_of", decision_ids, QUOTED)
    if rows.empty:
        return {}
    # The latest (sent_at, id) of each key; of equal ones the reminder, then the first read, as before.
    latest = (
        rows.assign(when=_sent_times(rows["sent_at"]))
        .sort_values(["when", "id", "source"], ascending=[False, False, True], kind="stable")
        .drop_duplicates(KEY, keep="first")
    )
    return dict(zip(_keys(latest, KEY), map(as_date, latest["deadline"].tolist()), strict=True))


def last_reminded(conn: Connection, decision_ids: Iterable[int]) -> dict[tuple[int, str], date]:
    """Per (decision, forum): the night of the last reminder delivered to the family (`sent`) about it, any
    deadline it quoted; a window absent was never reminded. The digest says "last reminded on ..." of it."""
    rows = read_by_ids(conn, "last_reminded_of", decision_ids, ["decision_id", "forum", "night"])
    if rows.empty:
        return {}
    keys = _keys(rows, ["decision_id", "forum"])
    return dict(zip(keys, map(as_date, rows["night"].tolist()), strict=True))


def due_corrections(conn: Connection, windows: pd.DataFrame) -> list[dict[str, Any]]:
    """The corrections to act on tonight: one per open window whose safe deadline differs from the one last
    delivered to its family, unless the ledger of corrections already has that change (old and new deadline)."""
    open_ = windows[windows["status"].isin(TOLD) & windows["safe_deadline"].notna()]
    if open_.empty:
        return []
    ids = open_["decision_id"].astype("int64")
    quoted = last_quoted(conn, ids.tolist())
    if not quoted:
        return []
    # Only the windows of decisions a family was ever told about become dicts (a few among a night's
    # hundreds of thousands: whole-frame `to_dict` cost seconds at a million decisions).
    told = open_[ids.isin({decision for decision, _f, _b in quoted})]
    records: list[dict[str, Any]] = told.to_dict("records")  # type: ignore[assignment]
    ledger = read_by_ids(
        conn, "known_corrections_of", {k[0] for k in quoted}, [*KEY, "old_deadline", "new_deadline"]
    )
    known = {
        (*key, as_date(old), as_date(new))
        for key, old, new in zip(
            _keys(ledger, KEY), ledger["old_deadline"].tolist(), ledger["new_deadline"].tolist(), strict=True
        )
    }
    due = []
    for window in records:
        decision_id, forum = int(window["decision_id"]), str(window["forum"])
        family = int(window["beneficiary_id"])
        new = pd.Timestamp(window["safe_deadline"]).date()
        old = quoted.get((decision_id, forum, family))
        if old is None or old == new or (decision_id, forum, family, old, new) in known:
            continue
        due.append(
            {
                "decision_id": decision_id,
                "forum": forum,
                "recipient_kind": "beneficiary",
                "recipient_id": family,
                "new_deadline": new,
                "old_deadline": old,
                "why": why_code(window.get("trigger_reason")),
                # "grace" or "expired" when the new safe deadline has already passed tonight, else None
                "late": None if window["status"] == "open" else str(window["status"]),
                "latest_deadline": pd.Timestamp(window["latest_deadline"]).date(),
            }
        )
    return sorted(due, key=lambda c: (c["decision_id"], c["forum"]))
