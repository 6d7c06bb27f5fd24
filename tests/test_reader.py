"""The reader (jobs.inputs._frame) sends the SQL files as the driver takes them and builds frames from the
driver's tuples: the frames must be those SQLAlchemy's bound statement and a dict per row gave (values,
NULLs, dates, booleans, column types), across batches of ids, on SQLite and PostgreSQL; a failing read
raises SQLAlchemy's error, as before (jobs.db.lost_database and describe_error rely on it)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Connection, Date, Engine, bindparam, text
from sqlalchemy.exc import DBAPIError

import jobs.inputs as inputs
from deadlines.scan import scan_parameters
from deadlines.validate import DECISION_COLUMNS
from jobs.db import query

import builders as b

ON = date(2025, 3, 18)


def sqlalchemy_frame(
    conn: Connection, name: str, params: dict[str, object], columns: list[str]
) -> pd.DataFrame:
    """The construction the reader replaced: SQLAlchemy's statement, a dict per row."""
    stmt = query(name)
    if "ids" in params:
        stmt = stmt.bindparams(bindparam("ids", expanding=True))
    stmt = stmt.bindparams(*[bindparam(k, type_=Date) for k, v in params.items() if isinstance(v, date)])
    rows = conn.execute(stmt, params).mappings().all()
    return pd.DataFrame([dict(r) for r in rows], columns=columns)


def _seed(engine: Engine) -> None:
    with engine.begin() as conn:
        b.advisor(conn, 1, "An Peeters", "an@infino.example")
        for i in range(1, 31):
            b.beneficiary(
                conn,
                i,
                f"Kind {i}" if i % 7 else "",
                None if i % 5 == 0 else f"k{i}@mail.example",
                language="fr" if i % 3 else "nl",
                advisor_id=1 if i % 2 else None,
                district=None if i % 4 == 0 else "Gent",
            )
            b.decision(
                conn,
                i,
                i,
                "payment" if i % 2 else "care_allowance",
                None if i % 9 == 0 else date(2025, 3, i % 28 + 1),
                decided_on=date(2025, 2, i % 28 + 1),
                appeal_info_complete=bool(i % 4),
                withdrawn_on=date(2025, 3, 10) if i % 11 == 0 else None,
            )
            if i % 3 == 0:
                b.appeal(conn, i, "labour_court", date(2025, 3, 15))
            if i % 4 == 0:
                b.complaint(conn, i, date(2025, 3, 5), None if i % 8 == 0 else date(2025, 3, 12))


@pytest.mark.parametrize(
    ("name", "columns"),
    [
        ("beneficiaries_of", ["id", "full_name", "email", "language", "judicial_district", "advisor_id"]),
        ("beneficiaries_of", ["id", "full_name", "advisor_id"]),  # fewer columns than the query reads
        ("appeals_of", ["id", "decision_id", "forum", "filed_on"]),
        ("complaints_of", ["id", "decision_id", "filed_on", "closed_on"]),
        ("duplicate_decisions", list(DECISION_COLUMNS)),
    ],
)
def test_reads_by_ids_across_batches_give_the_frames_sqlalchemy_gave(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch, name: str, columns: list[str]
) -> None:
    _seed(db_engine)
    monkeypatch.setattr(inputs, "BATCH", 7)  # five batches, the last one short
    monkeypatch.setattr(inputs, "BATCH_POSTGRESQL", 7)  # the same on PostgreSQL (one array per batch)
    ids = [*range(30, 0, -1), 31, 5]  # unsorted, an id without a row, a repeated id
    with db_engine.connect() as conn:
        read = inputs.read_by_ids(conn, name, ids, columns)
        expected = pd.concat(
            [sqlalchemy_frame(conn, name, {"ids": part}, columns) for part in ([1, 2, 3, 4, 5, 6, 7],
             list(range(8, 15)), list(range(15, 22)), list(range(22, 29)), [29, 30, 31])],
            ignore_index=True,
        )  # fmt: skip
    pd.testing.assert_frame_equal(read, expected)
    if "email" in columns:
        assert len(read) == 30
        assert read["email"].isna().sum() == 6 and read["judicial_district"].isna().sum() == 7


def test_a_read_with_the_optional_columns_gives_the_frame_sqlalchemy_gave_for_them(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The optional columns a fund has (`extra`), read with a query's own columns across batches of ids: the
    frame SQLAlchemy gave for a statement that names them."""
    _seed(db_engine)
    with db_engine.begin() as conn:
        conn.execute(text("UPDATE beneficiaries SET phone = '09 ' || id WHERE id % 3 = 0"))
    monkeypatch.setattr(inputs, "BATCH", 7)
    monkeypatch.setattr(inputs, "BATCH_POSTGRESQL", 7)
    columns = ["id", "full_name", "advisor_id", "phone", "postal_address"]
    named = text(
        "SELECT id, full_name, advisor_id, phone, postal_address FROM beneficiaries WHERE id IN :ids"
    ).bindparams(bindparam("ids", expanding=True))
    with db_engine.connect() as conn:
        read = inputs.read_by_ids(
            conn, "beneficiaries_of", [*range(30, 0, -1), 31, 5], columns, ("phone", "postal_address")
        )
        expected = pd.concat(
            [pd.DataFrame([dict(r) for r in conn.execute(named, {"ids": list(part)}).mappings()], columns=columns)
             for part in (range(1, 8), range(8, 15), range(15, 22), range(22, 29), range(29, 32))],
            ignore_index=True,
        )  # fmt: skip
    pd.testing.assert_frame_equal(read, expected)
    assert read["phone"].notna().sum() == 10 and read["postal_address"].isna().all()


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("scan_decisions", scan_parameters(ON)),
        ("all_decisions", {}),
        ("one_decision", {"decision_id": 9}),
    ],
)
def test_decisions_read_with_dates_nulls_and_booleans_as_sqlalchemy_gave_them(
    db_engine: Engine, name: str, params: dict[str, object]
) -> None:
    _seed(db_engine)
    with db_engine.connect() as conn:
        read = inputs._frame(conn, name, params, DECISION_COLUMNS)
        expected = sqlalchemy_frame(conn, name, params, list(DECISION_COLUMNS))
    sort = ["id"]
    pd.testing.assert_frame_equal(
        read.sort_values(sort, ignore_index=True), expected.sort_values(sort, ignore_index=True)
    )
    assert not read.empty
    assert read["notified_on"].isna().any() or name == "one_decision"


def test_a_failing_read_raises_sqlalchemys_error(db_engine: Engine) -> None:
    _seed(db_engine)
    with db_engine.connect() as conn:
        conn.exec_driver_sql("DROP TABLE complaints")
        with pytest.raises(DBAPIError):
            inputs.read_by_ids(conn, "complaints_of", [1, 2], ["id", "decision_id", "filed_on", "closed_on"])


def test_the_night_reads_the_families_of_its_windows_as_read_people_does(db_engine: Engine) -> None:
    """read_night reads the families while it works out the windows (a thread of its own), by the families
    the scanned rows name: what it keeps is what read_people reads by the windows' families, problems
    included; a family named only by a bad row is not read into the night (nor reported)."""
    from jobs.config import Settings
    from jobs.nightly import read_night

    _seed(db_engine)
    with db_engine.begin() as conn:
        b.beneficiary(conn, 40, "", "not an address", language="xx")  # three problems, were it read
        b.decision(conn, 40, 40, "payment", date(2025, 3, 14), decided_on=date(2025, 3, 20))  # notified first
    with db_engine.connect() as conn:
        windows, people, problems, _read = read_night(conn, Settings(), ON)
        direct = inputs.read_people(conn, windows["beneficiary_id"], Settings().reminders.fallback_language)
    assert 40 not in set(windows["beneficiary_id"]) and any(p.row_id == 40 for p in problems)
    pd.testing.assert_frame_equal(people.beneficiaries, direct.beneficiaries)
    pd.testing.assert_frame_equal(people.advisors, direct.advisors)
    assert [str(p) for p in people.problems] == [str(p) for p in direct.problems]
    assert not [p for p in people.problems if p.row_id == 40]


def test_families_read_for_more_ids_are_kept_to_those_asked_for_in_id_order() -> None:
    beneficiaries = pd.DataFrame(
        {"id": [3, 1, 2, 2], "full_name": ["C", "A", "B", "B2"], "advisor_id": [7.0, None, 8.0, 8.0]}
    )
    advisors = pd.DataFrame({"id": [8, 7, 9], "full_name": ["X", "Y", "Z"]})
    asked = inputs.Ids([1, 2, 3, 4, 5])  # 4 and 5: asked for, without a row (the table lacks them)
    kept, theirs, missing = inputs.families_among(
        inputs._in_id_order(beneficiaries), inputs._in_id_order(advisors), asked, [2, 4, 1, 2, 6]
    )
    assert kept["id"].tolist() == [1, 2, 2] and kept["full_name"].tolist() == ["A", "B", "B2"]
    assert theirs["id"].tolist() == [8]
    assert missing == [6]  # not asked for; 4 was asked for, and is missing from the table, not from the read


def test_a_subquery_is_an_array_of_ids_on_postgresql() -> None:
    sql = (
        "SELECT id FROM decisions AS d WHERE d.id IN (SELECT c.decision_id FROM complaints AS c)\n"
        "  AND d.id NOT IN (SELECT a.decision_id FROM appeals AS a) AND d.kind NOT IN ('payment')"
    )
    assert inputs._IN_SELECT.sub(inputs._in_array, sql) == (
        "SELECT id FROM decisions AS d WHERE d.id = ANY(ARRAY(SELECT c.decision_id FROM complaints AS c))\n"
        "  AND d.id <> ALL(ARRAY(SELECT a.decision_id FROM appeals AS a)) AND d.kind NOT IN ('payment')"
    )
