"""The contract's optional columns (2026-11): `beneficiaries.phone`, `beneficiaries.postal_address` and
`decisions.reference`. A new database has them; a fund's table or view without them reads as empty, never
as an error; the night's frames carry them as `phone`, `postal_address` and `reference`."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, text

from jobs.config import Settings
from jobs.inputs import optional_columns
from jobs.nightly import read_night

import builders as b

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
