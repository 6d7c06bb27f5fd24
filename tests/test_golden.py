"""The fast paths of issue 11 keep every byte: the windows (`windows --all --format csv`) and every message of
a first night (subject, text, html, headers minus Date) on the demo database and on a seeded 20k-decision
database are those of the code before the change, on SQLite and (TEST_DATABASE_URL) on PostgreSQL. How the golden values were made, and how to regenerate
them when wording changes on purpose: see tests/golden.py."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, _pg_schema_url
from tests.golden import NIGHTS, committed


@pytest.mark.parametrize("name", list(NIGHTS))
def test_the_night_reads_byte_for_byte_as_before(name: str, tmp_path: Path) -> None:
    assert NIGHTS[name](tmp_path) == committed()[name]


@pytest.mark.parametrize("name", list(NIGHTS))
def test_the_night_on_postgresql_reads_byte_for_byte_as_on_sqlite(name: str, tmp_path: Path) -> None:
    """The same databases on PostgreSQL (its own reading paths): the same windows and messages."""
    if not PG_URL:
        pytest.skip(
            "PostgreSQL tests need TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1/test)"
        )
    schema = f"aw_golden_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_pg_schema_url(PG_URL, "public"))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        assert NIGHTS[name](tmp_path, _pg_schema_url(PG_URL, schema)) == committed()[name]
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
