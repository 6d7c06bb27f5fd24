"""`init-db`: the five contract tables, exactly as shared/contract.md names them, and the project's own
tables under Alembic; running it twice changes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from jobs.db import CONTRACT_TABLES, ddl_target, init_db, make_engine, split_sql
from jobs.resources import sql_text
from jobs.store import OWN_TABLES, VERSION_TABLE, metadata

CONTRACT_COLUMNS = {
    "advisors": ["id", "full_name", "email", "language", "team"],
    # phone, postal_address and reference: the optional columns of 2026-11, created in new databases
    "beneficiaries": [
        "id", "full_name", "email", "language", "judicial_district", "advisor_id", "phone", "postal_address",
    ],
    "decisions": [
        "id", "beneficiary_id", "kind", "decided_on", "period_start", "notified_on",
        "appeal_info_complete", "withdrawn_on", "reference",
    ],
    "appeals": ["id", "decision_id", "forum", "filed_on"],
    "complaints": ["id", "decision_id", "filed_on", "closed_on"],
}  # fmt: skip


def insert_contract_rows(engine: Engine) -> None:
    """Plain SQL with the contract's column names, as the fund's own loaders would write them."""
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO advisors (id, full_name, email, language, team) "
                          "VALUES (1, 'An Peeters', 'an.peeters@infino.example', 'nl', 'Gent')"))  # fmt: skip
        conn.execute(text("INSERT INTO advisors (id, full_name) VALUES (2, 'Wim Claes')"))
        conn.execute(
            text("INSERT INTO beneficiaries (id, full_name, email, language, judicial_district, advisor_id) "
                 "VALUES (10, 'Els Maes', 'els@mail.example', 'fr', 'Brussel', 1)")
        )  # fmt: skip
        conn.execute(text("INSERT INTO beneficiaries (id, full_name) VALUES (11, 'Tom Jacobs')"))
        conn.execute(
            text("INSERT INTO decisions (id, beneficiary_id, kind, decided_on, period_start, notified_on, "
                 "appeal_info_complete, withdrawn_on) VALUES (100, 10, 'payment', :d, :p, :n, :complete, NULL)"),
            {"d": date(2025, 3, 7), "p": date(2025, 1, 1), "n": date(2025, 3, 10), "complete": True},
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO decisions (id, beneficiary_id, kind, decided_on) VALUES (101, 11, 'care_allowance', :d)"
            ),
            {"d": date(2025, 4, 1)},
        )
        conn.execute(
            text("INSERT INTO appeals (decision_id, forum, filed_on) VALUES (100, 'arbitration', :f)"),
            {"f": date(2025, 4, 1)},
        )
        conn.execute(
            text("INSERT INTO complaints (decision_id, filed_on, closed_on) VALUES (100, :f, NULL)"),
            {"f": date(2025, 3, 20)},
        )
        conn.execute(
            text("INSERT INTO complaints (decision_id, filed_on) VALUES (101, :f)"), {"f": date(2025, 5, 2)}
        )


def test_init_db_twice_then_the_contract_tables_take_rows_by_their_contract_names(tmp_path: Path) -> None:
    env = {**os.environ, "APPEALWATCH_DATABASE_URL": "sqlite:///x.db"}
    env.pop("APPEALWATCH_CONFIG", None)
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "jobs", "init-db"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
    assert "contract tables created: none (they existed)" in done.stdout
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    insert_contract_rows(engine)
    with engine.connect() as conn:
        assert conn.execute(
            text("SELECT appeal_info_complete FROM decisions WHERE id = 101")
        ).scalar_one() in (1, True)
        assert conn.execute(text("SELECT language FROM advisors WHERE id = 2")).scalar_one() == "nl"
        assert conn.execute(text("SELECT count(*) FROM complaints")).scalar_one() == 2


def test_the_contract_tables_have_exactly_the_contract_columns(db_engine: Engine) -> None:
    inspector = inspect(db_engine)
    for table in CONTRACT_TABLES:
        assert [c["name"] for c in inspector.get_columns(table)] == CONTRACT_COLUMNS[table]


def test_init_db_is_idempotent_and_keeps_rows(db_engine: Engine) -> None:
    insert_contract_rows(db_engine)
    assert init_db(db_engine) == []
    with db_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM decisions")).scalar_one() == 2
        assert conn.execute(text("SELECT version_num FROM aw_alembic_version")).scalar_one() == "0005"


def test_the_appeal_and_complaint_ids_are_assigned_by_the_database(db_engine: Engine) -> None:
    insert_contract_rows(db_engine)
    with db_engine.connect() as conn:
        ids = conn.execute(text("SELECT id FROM complaints ORDER BY id")).scalars().all()
    assert len(ids) == 2 and ids[0] < ids[1]


def test_the_migrations_build_exactly_the_tables_the_code_queries(db_engine: Engine) -> None:
    with db_engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE}), metadata
        )
    # The contract tables are in the database but not in our metadata: that difference shows the comparison ran.
    assert {d[1].name for d in diff if isinstance(d, tuple) and d[0] == "remove_table"} == set(
        CONTRACT_TABLES
    )
    assert [d for d in diff if any(name in repr(d) for name in OWN_TABLES)] == []


def test_init_db_leaves_existing_views_alone(tmp_path: Path) -> None:
    """In production the five names are often views over the fund's schema: init-db must not touch them."""
    engine = make_engine(f"sqlite:///{tmp_path / 'views.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE fund_people (pid INTEGER PRIMARY KEY, name TEXT, mail TEXT)")
        conn.exec_driver_sql(
            "CREATE VIEW beneficiaries AS SELECT pid AS id, name AS full_name, mail AS email, 'nl' AS language, "
            "NULL AS judicial_district, NULL AS advisor_id FROM fund_people"
        )
    created = init_db(engine)
    assert "beneficiaries" not in created
    assert "beneficiaries" in inspect(engine).get_view_names()


@pytest.mark.parametrize("table", CONTRACT_TABLES)
def test_each_contract_table_is_created_by_init_db(db_engine: Engine, table: str) -> None:
    assert table in inspect(db_engine).get_table_names()


@pytest.mark.parametrize(
    ("statement", "target"),
    [
        ("CREATE TABLE IF NOT EXISTS advisors (\n    id INTEGER PRIMARY KEY\n)", "advisors"),
        ("create table  decisions(id integer)", "decisions"),
        ("CREATE INDEX IF NOT EXISTS ix_decisions_notified_on ON decisions (notified_on)", "decisions"),
        ("CREATE UNIQUE INDEX ix_x ON complaints(closed_on)", "complaints"),
    ],
)
def test_the_target_of_each_schema_statement_is_read_by_its_grammar_not_its_token_position(
    statement: str, target: str
) -> None:
    assert ddl_target(statement) == target


def test_a_schema_statement_that_is_neither_a_table_nor_an_index_is_refused() -> None:
    with pytest.raises(ValueError, match="not a CREATE TABLE or CREATE INDEX"):
        ddl_target("DROP TABLE decisions")


def test_every_statement_of_the_shipped_schema_files_names_a_contract_table() -> None:
    for name in (
        "schema/contract.sqlite",
        "schema/contract.postgresql",
        "schema/contract_indexes",
        "schema/contract_indexes.sqlite",
    ):
        targets = {ddl_target(s) for s in split_sql(sql_text(name))}
        assert targets <= set(CONTRACT_TABLES), name


# -- privacy at rest: the SQLite database holds every message sent ------------------------------------------


def _aw(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPEALWATCH_")}
    return subprocess.run(
        [sys.executable, "-m", "jobs", *args, "--config", str(cfg)],
        cwd=cfg.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        umask=0o022,  # the usual umask: files it creates would be 0644, readable by every user
    )


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_the_sqlite_database_its_wal_and_shm_and_the_lock_file_are_created_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "appealwatch.db"
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[database]\nurl = "sqlite:///{db}"\n[notifier]\nkind = "file"\noutbox_dir = "outbox"\n'
        '[report]\nout_dir = "reports"\n',
        encoding="utf-8",
    )
    made = _aw(cfg, "init-db")
    assert made.returncode == 0, made.stdout + made.stderr
    assert _mode(db) == 0o600
    reader = make_engine(f"sqlite:///{db}")
    try:
        with reader.connect() as conn:  # held open: the -wal and -shm files stay while it is
            conn.execute(text("SELECT count(*) FROM decisions")).scalar_one()
            night = _aw(cfg, "run", "--on", "2025-03-18")
            assert night.returncode == 0, night.stdout + night.stderr
            files = {p.name: _mode(p) for p in tmp_path.glob("appealwatch.db*")}
    finally:
        reader.dispose()
    assert files == {
        "appealwatch.db": 0o600,
        "appealwatch.db-wal": 0o600,
        "appealwatch.db-shm": 0o600,
        "appealwatch.db.nightly.lock": 0o600,
    }


def test_a_database_file_that_exists_keeps_the_mode_the_operator_gave_it(tmp_path: Path) -> None:
    db = tmp_path / "appealwatch.db"
    db.touch()
    db.chmod(0o640)  # an operator's choice (a group that backs it up)
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{db}"\n', encoding="utf-8")
    made = _aw(cfg, "init-db")
    assert made.returncode == 0, made.stdout + made.stderr
    assert _mode(db) == 0o640


def test_the_migration_head_read_without_alembic_is_alembics_own() -> None:
    from alembic.script import ScriptDirectory

    from jobs.db import _alembic_config, migration_head

    assert migration_head() == ScriptDirectory.from_config(_alembic_config()).get_current_head()
