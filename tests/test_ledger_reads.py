"""The ledger's reads of jobs.corrections (sql/last_quoted_of.sql, last_reminded_of.sql, known_corrections_of.sql
through jobs.inputs.read_by_ids) on both backends: the deadline of the last message delivered to the family by
(sent_at, then the message's id), reminders and corrections alike; only sent messages, only the family's
reminders; the night of the last reminder; across batches of ids."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, insert

from jobs import corrections as c
from jobs import inputs
from jobs.store import corrections, messages, reminders

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
D = date(2026, 12, 1)


def _message(conn: Connection, pk: int, kind: str, status: str, sent_at: datetime | None) -> None:
    conn.execute(
        insert(messages).values(
            id=pk, message_id=f"<m{pk}@test>", kind=kind, recipient_kind="beneficiary", recipient_id=7,
            to_name="Els", to_addr="els@mail.example", language="nl", subject="s", body_text="b",
            status=status, attempts=0, sent_at=sent_at, created_at=T0, channel="email",
        )
    )  # fmt: skip


def _reminder(conn: Connection, decision: int, forum: str, deadline: date, pk: int, *, kind: str = "beneficiary",
              due_on: date = date(2026, 11, 20), stage: int = 14) -> None:  # fmt: skip
    conn.execute(
        insert(reminders).values(
            decision_id=decision, forum=forum, safe_deadline=deadline, recipient_kind=kind, recipient_id=7,
            stage=stage, status="queued", due_on=due_on, message_pk=pk, created_at=T0,
        )
    )  # fmt: skip


def _correction(conn: Connection, decision: int, forum: str, old: date, new: date, pk: int) -> None:
    conn.execute(
        insert(corrections).values(
            decision_id=decision, forum=forum, recipient_kind="beneficiary", recipient_id=7, new_deadline=new,
            old_deadline=old, why="informed", status="queued", due_on=date(2026, 11, 21), message_pk=pk,
            created_at=T0,
        )
    )  # fmt: skip


@pytest.mark.parametrize("batch", [1, 50000])
def test_the_last_delivered_message_quotes_by_sent_at_then_id(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    monkeypatch.setattr(inputs, "BATCH", batch)
    monkeypatch.setattr(inputs, "BATCH_POSTGRESQL", batch)
    day = timedelta(days=1)
    with db_engine.begin() as conn:
        # decision 1, labour_court: reminder (D) sent first, then a correction (D+1) sent later: D+1
        _message(conn, 1, "reminder", "sent", T0)
        _reminder(conn, 1, "labour_court", D, 1)
        _message(conn, 2, "correction", "sent", T0 + day)
        _correction(conn, 1, "labour_court", D, D + day, 2)
        # a later reminder not delivered (failed) and one to the advisor: neither counts
        _message(conn, 3, "reminder", "failed", None)
        _reminder(conn, 1, "labour_court", D + 5 * day, 3, stage=7, due_on=date(2026, 11, 22))
        _message(conn, 4, "reminder", "sent", T0 + 3 * day)
        _reminder(conn, 1, "labour_court", D + 6 * day, 4, kind="advisor", due_on=date(2026, 11, 23))
        # decision 2, council_of_state: a correction sent at the same time as a reminder with a higher
        # message id: the higher id is the later one
        _message(conn, 6, "reminder", "sent", T0 + 2 * day)
        _reminder(conn, 2, "council_of_state", D + 2 * day, 6, due_on=date(2026, 11, 21))
        _message(conn, 5, "correction", "sent", T0 + 2 * day)
        _correction(conn, 2, "council_of_state", D, D + 3 * day, 5)
        # decision 3: a correction sent before a later reminder: the reminder's deadline
        _message(conn, 7, "correction", "sent", T0)
        _correction(conn, 3, "labour_court", D, D + 4 * day, 7)
        _message(conn, 8, "reminder", "sent", T0 + day)
        _reminder(conn, 3, "labour_court", D + 7 * day, 8, due_on=date(2026, 11, 24))
    with db_engine.connect() as conn:
        quoted = c.last_quoted(conn, [3, 2, 1, 2, 99])
        reminded = c.last_reminded(conn, [1, 2, 3, 99])
        assert c.last_quoted(conn, []) == {} and c.last_reminded(conn, [99]) == {}
    assert quoted == {
        (1, "labour_court", 7): D + day,
        (2, "council_of_state", 7): D + 2 * day,
        (3, "labour_court", 7): D + 7 * day,
    }
    assert reminded == {
        (1, "labour_court"): date(2026, 11, 20),
        (2, "council_of_state"): date(2026, 11, 21),
        (3, "labour_court"): date(2026, 11, 24),
    }
    assert all(type(k[0]) is int and type(k[1]) is str and type(k[2]) is int for k in quoted)
    assert all(type(v) is date for v in [*quoted.values(), *reminded.values()])
