"""Hostile data through the whole night (issue 7): the five tables as views may deliver them (no primary key,
NULLs where the contract says not null, absurd dates, unicode and very long names and addresses, dangling
references), on SQLite and PostgreSQL. The night never crashes, reports each bad row once, and the good rows
get exactly the reminders they would get alone."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, delete, select, text
from test_bad_rows import DUE, loosen
from test_nightly import settings_for

from jobs.commands.run import run_nightly
from jobs.nightly import plan_night
from jobs.store import attempts, messages, reminders, runs

import builders as b
from conftest import Database

ON = date(2025, 3, 18)
GOOD_DECISIONS = {1, 2, 3}
LONG = "Ŝéverine-Αλεξάνδρα 王秀英 " * 40  # a name of a thousand characters, in three scripts


def good_rows(conn: Connection) -> None:
    b.advisor(conn, 1, "An Peeters", "an.peeters@infino.example")
    b.beneficiary(conn, 1, "Els Maes", "els.maes@mail.example", advisor_id=1)
    b.beneficiary(conn, 2, LONG, "zoë.o'brien+appeal@exämple.be", "fr", advisor_id=1)
    b.beneficiary(conn, 3, "Lukas\u200b Schmitz", None, "de", advisor_id=None)
    b.decision(conn, 1, 1, "care_allowance", DUE)
    b.decision(conn, 2, 2, "care_allowance", DUE)
    b.decision(conn, 3, 3, "payment", date(2025, 3, 10), decided_on=date(2025, 3, 7))


def _decision(conn: Connection, ident: int | None, beneficiary: int | None, **values: Any) -> None:
    row = {
        "id": ident,
        "beneficiary_id": beneficiary,
        "kind": "care_allowance",
        "decided_on": DUE,
        "period_start": DUE,
        "notified_on": DUE,
        "appeal_info_complete": True,
        "withdrawn_on": None,
        **values,
    }
    conn.execute(
        text(
            "INSERT INTO decisions (id, beneficiary_id, kind, decided_on, period_start, notified_on, "
            "appeal_info_complete, withdrawn_on) VALUES (:id, :beneficiary_id, :kind, :decided_on, "
            ":period_start, :notified_on, :appeal_info_complete, :withdrawn_on)"
        ),
        row,
    )


def hostile(conn: Connection, kind: str, base: int, backend: str) -> Counter[tuple[str, Any]]:
    """One hostile case in its own block of ids (base, base + 1, ...); returns the bad rows it must report,
    counted by (table, row id)."""
    person, other = base, base + 1
    if kind == "duplicate_decision":
        b.beneficiary(conn, person, "Nour", "nour@mail.example")
        _decision(conn, base, person)
        _decision(conn, base, person, withdrawn_on=date(2025, 1, 20))  # the copy the scan would not read
        return Counter({("decisions", base): 2})
    if kind == "withdrawn_before_decided":
        b.beneficiary(conn, person, "Nour", "nour@mail.example")
        _decision(conn, base, person, withdrawn_on=date(2024, 1, 1))
        return Counter({("decisions", base): 1})
    if kind == "absurd_dates":
        far = date(9999, 12, 31) if backend == "postgresql" else "31/12/9999"
        b.beneficiary(conn, person, "Nour", "nour@mail.example")
        _decision(conn, base, person, decided_on=far, notified_on=far, period_start=far)
        return Counter({("decisions", base): 1})
    if kind == "nulls_in_decision":
        _decision(conn, base, None, kind=None, appeal_info_complete=None)
        return Counter({("decisions", base): 1})
    if kind == "dangling_beneficiary":
        _decision(conn, base, base + 999_000)  # listed to call: not a bad row of decisions
        return Counter()
    if kind == "duplicate_beneficiary":
        b.beneficiary(conn, person, "Nour", "nour@mail.example")
        b.beneficiary(conn, person, "Nour bis", "nour.bis@mail.example")
        _decision(conn, base, person)
        return Counter({("beneficiaries", person): 2})
    if kind == "nameless_beneficiary":
        b.beneficiary(conn, person, None, "nameless@mail.example", language=None)  # type: ignore[arg-type]
        _decision(conn, base, person)
        return Counter({("beneficiaries", person): 1})
    if kind == "nameless_duplicate_advisor":
        b.advisor(conn, other, None, "adv@infino.example")  # type: ignore[arg-type]
        b.advisor(conn, other, "Wim", "@@")
        b.beneficiary(conn, person, LONG, "nour@mail.example", advisor_id=other)
        _decision(conn, base, person)
        return Counter({("advisors", other): 2})
    if kind == "dangling_advisor":
        b.beneficiary(conn, person, "Nour", None, advisor_id=base + 999_000)
        _decision(conn, base, person)
        return Counter()
    if kind == "complaint_without_id":
        b.beneficiary(conn, person, "Nour", "nour@mail.example")
        _decision(conn, base, person)
        conn.execute(
            text("INSERT INTO complaints (id, decision_id, filed_on) VALUES (NULL, :d, :f)"),
            {"d": base, "f": date(2025, 3, 1)},
        )
        return Counter({("complaints", None): 1})
    raise AssertionError(kind)


KINDS = [
    "duplicate_decision",
    "withdrawn_before_decided",
    "absurd_dates",
    "nulls_in_decision",
    "dangling_beneficiary",
    "duplicate_beneficiary",
    "nameless_beneficiary",
    "nameless_duplicate_advisor",
    "dangling_advisor",
    "complaint_without_id",
]


def fresh(engine: Engine) -> None:
    loosen(engine)
    with engine.begin() as conn:
        for table in (attempts, reminders, messages, runs):
            conn.execute(delete(table))


def good_ledger(engine: Engine) -> set[tuple[Any, ...]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                reminders.c.decision_id,
                reminders.c.recipient_kind,
                reminders.c.recipient_id,
                reminders.c.stage,
                reminders.c.status,
            ).where(reminders.c.decision_id.in_(GOOD_DECISIONS))
        ).all()
    return {tuple(r) for r in rows}


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cases=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
def test_a_night_over_hostile_rows_never_crashes_reports_each_once_and_spares_the_good_rows(
    database: Database, tmp_path: Path, cases: list[str]
) -> None:
    engine = database.engine
    fresh(engine)
    with engine.begin() as conn:
        good_rows(conn)
    alone = tmp_path / "alone"
    alone.mkdir(exist_ok=True)
    assert run_nightly(settings_for(alone, database.url), ON) == 0
    expected_ledger = good_ledger(engine)
    assert expected_ledger  # the good rows do get reminders tonight

    fresh(engine)
    expected: Counter[tuple[str, Any]] = Counter()
    with engine.begin() as conn:
        good_rows(conn)
        for n, kind in enumerate(cases):
            expected += hostile(conn, kind, 1000 * (n + 1), database.backend)
    night = tmp_path / "night"
    night.mkdir(exist_ok=True)
    night_settings = settings_for(night, database.url)

    planned = plan_night(engine, night_settings, ON)
    code = run_nightly(night_settings, ON)

    assert code == (1 if expected else 0)
    assert Counter((p.table, p.row_id) for p in planned.problems) == expected
    assert not [p for p in planned.problems if "nan" in str(p).lower().split()]
    assert good_ledger(engine) == expected_ledger
