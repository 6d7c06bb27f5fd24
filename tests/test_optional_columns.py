"""The contract's optional columns (2026-11): `beneficiaries.phone`, `beneficiaries.postal_address` and
`decisions.reference`. A new database has them; a fund's table or view without them reads as empty, never
as an error; the night's frames carry them as `phone`, `postal_address` and `reference`."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import Engine, text
from test_bad_rows import loosen

from jobs.config import Settings
from jobs.inputs import optional_columns
from jobs.nightly import read_night

import builders as b
from conftest import Database

ON = date(2025, 3, 18)


def _night(engine: Engine) -> tuple[dict[int, dict[str, object]], dict[int, object]]:
    with engine.connect() as conn:
        windows, people, _problems, _read = read_night(conn, Settings(), ON)
    families = {int(i): dict(r) for i, r in people.beneficiaries.iterrows()}
    references = dict(zip(windows["decision_id"].astype(int), windows["reference"], strict=True))
    return families, references


def test_a_new_database_has_the_optional_columns_and_the_night_reads_them(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.beneficiary(conn, 2, "Jan Smet", None)
        b.decision(conn, 1, 1, "care_allowance", date(2025, 1, 20))
        b.decision(conn, 2, 2, "care_allowance", date(2025, 1, 20))
        conn.execute(
            text(
                "UPDATE beneficiaries SET phone = '09 123 45 67', postal_address = 'Kouter 1, 9000 Gent' WHERE id = 1"
            )
        )
        conn.execute(text("UPDATE decisions SET reference = 'ZT/2025/0001' WHERE id = 1"))
    with db_engine.connect() as conn:
        assert optional_columns(conn) == {"phone", "postal_address", "reference"}
    families, references = _night(db_engine)
    assert (families[1]["phone"], families[1]["postal_address"]) == ("09 123 45 67", "Kouter 1, 9000 Gent")
    assert (families[2]["phone"], families[2]["postal_address"]) == (None, None)
    assert references == {1: "ZT/2025/0001", 2: None}


def test_a_funds_view_without_the_optional_columns_reads_as_empty(db_engine: Engine) -> None:
    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2025, 1, 20))
        # The fund's views as they were before 2026-11: the contract's first columns only.
        conn.execute(
            text(
                "CREATE TABLE fund_people AS SELECT id, full_name, email, language, judicial_district, advisor_id FROM beneficiaries"
            )
        )
        conn.execute(
            text(
                "CREATE TABLE fund_decisions AS SELECT id, beneficiary_id, kind, decided_on, period_start, notified_on, appeal_info_complete, withdrawn_on FROM decisions"
            )
        )
        for table in ("appeals", "complaints", "decisions", "beneficiaries"):
            conn.execute(text(f"DROP TABLE {table}"))
        conn.execute(text("CREATE VIEW beneficiaries AS SELECT * FROM fund_people"))
        conn.execute(text("CREATE VIEW decisions AS SELECT * FROM fund_decisions"))
        conn.execute(
            text("CREATE TABLE appeals (id INTEGER, decision_id INTEGER, forum TEXT, filed_on DATE)")
        )
        conn.execute(
            text("CREATE TABLE complaints (id INTEGER, decision_id INTEGER, filed_on DATE, closed_on DATE)")
        )
    with db_engine.connect() as conn:
        assert optional_columns(conn) == frozenset()
    families, references = _night(db_engine)
    assert (families[1]["phone"], families[1]["postal_address"]) == (None, None)
    assert references == {1: None}


def test_a_decision_found_by_any_branch_of_the_scan_carries_its_reference(db_engine: Engine) -> None:
    """The scan reads `reference` in each of its four branches: a decision notified lately, one never notified,
    one with a complaint still open, one with a complaint closed lately. The text stripped, a blank one None;
    the fund's complaints having a `reference` of their own changes nothing."""
    with db_engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2025, 1, 20))  # notified lately
        b.decision(conn, 2, 1, "beneficiary_designation", None, decided_on=date(2025, 3, 1))  # not notified
        b.decision(conn, 3, 1, "care_allowance", date(2024, 1, 10))
        b.complaint(conn, 3, date(2024, 2, 1))  # still open
        b.decision(conn, 4, 1, "care_allowance", date(2024, 6, 3))
        b.complaint(conn, 4, date(2024, 7, 1), date(2025, 3, 1))  # closed lately
        b.decision(conn, 5, 1, "care_allowance", date(2020, 1, 10))  # closed for good: not scanned
        conn.execute(text("ALTER TABLE complaints ADD COLUMN reference TEXT"))
        conn.execute(text("UPDATE complaints SET reference = 'K-1'"))
        for ident, reference in [
            (1, "  ZT/2025/0001 "),
            (2, "   "),
            (3, "ZT/2024/0003"),
            (5, "ZT/2020/0005"),
        ]:
            conn.execute(
                text("UPDATE decisions SET reference = :r WHERE id = :i"), {"r": reference, "i": ident}
            )
    _families, references = _night(db_engine)
    assert references == {1: "ZT/2025/0001", 2: None, 3: "ZT/2024/0003", 4: None}


def test_a_view_without_primary_key_has_its_bad_rows_reported_once_each_whatever_their_references(
    database: Database,
) -> None:
    """Two rows without an id, alike but for their references, are one bad row (as when the references were
    read apart); two copies of an id are both reported, whatever their references, and neither written to."""
    loosen(database.engine)
    with database.engine.begin() as conn:
        b.beneficiary(conn, 1, "Els Maes", "els@mail.example")
        b.decision(conn, 1, 1, "care_allowance", date(2025, 1, 20))
        for ident, reference in [(2, "ZT/A"), (2, "ZT/B"), (None, "ZT/C"), (None, "ZT/D")]:
            b.decision(conn, ident, 1, "care_allowance", date(2025, 1, 21))  # type: ignore[arg-type]
            conn.execute(
                text(
                    "UPDATE decisions SET reference = :r WHERE reference IS NULL AND id IS NOT DISTINCT FROM :i"
                ),
                {"r": reference, "i": ident},
            )
        conn.execute(text("UPDATE decisions SET reference = 'ZT/1' WHERE id = 1"))
    with database.engine.connect() as conn:
        windows, _people, problems, read = read_night(conn, Settings(), ON)
    assert dict(zip(windows["decision_id"].astype(int), windows["reference"], strict=True)) == {1: "ZT/1"}
    assert Counter((p.table, p.row_id) for p in problems) == {("decisions", 2): 2, ("decisions", None): 1}
    assert read == 4  # decision 1, the row without an id, the two copies
