"""Every query the code names exists, and every query file runs, on SQLite and PostgreSQL, with bound
parameters; a row whose date text the scan's range tests cannot see on SQLite is still read and reported."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, bindparam, text

from deadlines.scan import scan_parameters
from jobs.db import init_db, make_engine, query, sql_files
from jobs.inputs import read_decisions

import builders as b

REPO = Path(__file__).resolve().parents[1]
PARAMS = {"ids": [1, 2], "decision_id": 1, **scan_parameters(date(2025, 3, 18))}


def test_every_query_the_code_names_exists() -> None:
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "jobs").glob("*.py"))
    named = set(re.findall(r'(?:_frame|read_by_ids)\(\s*conn,\s*f?"([a-z_.{}]+)"', code))
    named = {n.replace("{table}", t) for n in named for t in ("beneficiaries", "advisors")}
    assert named, "the pattern found no query names: the test would prove nothing"
    assert named <= set(sql_files()), named - set(sql_files())


# What each query returns on the rows _seed writes (by the first column, the row's id); a new query file
# needs its line here, so that it is run and checked, not only parsed.
EXPECTED_IDS: dict[str, set[int]] = {
    "advisors_of": {1},
    "all_decisions": {1, 2},
    "appeals_of": {1},
    "beneficiaries_of": {1, 2},
    "complaints_of": {1},
    "count_decisions": {2},  # its one column is the count, not an id
    "duplicate_decisions": set(),  # a table with a primary key has no copies
    "one_decision": {1},
    "scan_decisions": {1},  # decision 2's window closed in 2020: the scan does not read it
    "odd_dates.sqlite": set(),  # every date is ISO text
    "last_quoted_of": set(),  # the ledger's reads (jobs.corrections): nothing sent yet
    "last_reminded_of": set(),
    "known_corrections_of": set(),
    "held_corrections_of": set(),
    "decisions_id_unique.postgresql": {
        1
    },  # its one column is the count of unique indexes on id: the key  # jobs.outbox.settle.expired_held: no correction notice held
}


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an@infino.example")
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example", advisor_id=1)
        b.beneficiary(conn, 2, "Jan Smet", "jan@mail.example")
        b.decision(conn, 1, 1, "payment", date(2025, 3, 1), period_start=date(2025, 1, 1))
        b.decision(conn, 2, 2, "care_allowance", date(2019, 6, 3))
        b.appeal(conn, 2, "labour_court", date(2019, 7, 1))
        b.complaint(conn, 2, date(2019, 6, 10), date(2019, 6, 20))


def test_every_query_runs_with_bound_parameters_and_returns_the_rows_it_is_for(db_engine: Engine) -> None:
    dialect = db_engine.dialect.name
    assert set(EXPECTED_IDS) == set(sql_files()), "every query file has its expected rows here"
    _seed(db_engine)
    ran = []
    with db_engine.connect() as conn:
        for name in sql_files():
            if "." in name and not name.endswith(f".{dialect}"):
                continue  # a query for the other database
            stmt = query(name)
            if ":ids" in stmt.text:
                stmt = stmt.bindparams(bindparam("ids", expanding=True))
            wanted = {k: v for k, v in PARAMS.items() if f":{k}" in stmt.text}
            got = {int(row[0]) for row in conn.execute(stmt, wanted).all()}
            assert got == EXPECTED_IDS[name], name
            ran.append(name)
    other = [n for n in EXPECTED_IDS if "." in n and not n.endswith(f".{dialect}")]
    assert other and len(ran) == len(EXPECTED_IDS) - len(other), ran


def test_a_blank_date_on_sqlite_is_read_and_reported_not_lost(tmp_path: Path) -> None:
    """Only SQLite stores dates as text that can be blank or malformed; PostgreSQL's DATE cannot."""
    db_engine = make_engine(f"sqlite:///{tmp_path / 'odd.db'}")
    init_db(db_engine)
    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "payment", date(2025, 3, 1))
        b.complaint(conn, 1, date(2025, 3, 5))
        conn.execute(text("UPDATE complaints SET closed_on = '' WHERE decision_id = 1"))
        b.decision(conn, 2, 1, "payment", date(2024, 1, 1))
        conn.execute(text("UPDATE decisions SET notified_on = '10/03/2025' WHERE id = 2"))
    with db_engine.connect() as conn:
        inputs = read_decisions(conn, date(2025, 3, 18), "scan")
    said = {(p.table, p.row_id, p.column, p.skipped) for p in inputs.problems}
    assert ("complaints", 1, "closed_on", False) in said  # blank: read as still open, and said
    assert ("decisions", 2, "notified_on", True) in said  # not a date: skipped, and said
    assert list(inputs.decisions["id"]) == [1]
