"""The states of the outbox, the ledger and the run log are defined once (jobs/states.py): the database refuses
any other (CHECK constraints, on SQLite and PostgreSQL), and every state the code writes is one of them."""

from __future__ import annotations

import ast
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import Table, select, update
from sqlalchemy.exc import IntegrityError
from test_delivery import ON, families, smtp_config

from jobs.commands.run import run_nightly
from jobs.config import load_settings
from jobs.states import LedgerStatus, MessageStatus, RunStatus
from jobs.store import messages, reminders, runs

from conftest import Database
from smtp_server import free_port

JOBS = Path(__file__).resolve().parents[1] / "jobs"
COLUMNS: list[tuple[Table, type[StrEnum]]] = [
    (messages, MessageStatus),
    (reminders, LedgerStatus),
    (runs, RunStatus),
]


def _a_night_held_by_an_outage(database: Database, tmp_path: Path) -> None:
    """One of each row: a run, a reminder in the ledger, its message pending in the outbox."""
    families(database.engine, 1)
    down = load_settings(smtp_config(tmp_path, database.url, free_port(), "max_attempts = 1\n"), {})
    assert run_nightly(down, ON) == 1


@pytest.mark.parametrize(("table", "states"), COLUMNS, ids=lambda v: getattr(v, "name", ""))
def test_the_database_takes_every_state_of_the_enum_and_nothing_else(
    database: Database, tmp_path: Path, table: Table, states: type[StrEnum]
) -> None:
    _a_night_held_by_an_outage(database, tmp_path)
    with database.engine.connect() as conn:
        row_id = conn.execute(select(table.c.id).limit(1)).scalar_one()
        conn.commit()
        for state in states:
            with conn.begin():
                conn.execute(update(table).where(table.c.id == row_id).values(status=state))
        for bogus in ("bogus", "PENDING", "sent ", ""):
            with pytest.raises(IntegrityError), conn.begin():
                conn.execute(update(table).where(table.c.id == row_id).values(status=bogus))


def _written_states(tree: ast.AST) -> set[str]:
    """String constants the code stores as a status: `status="x"` (also in `.values()`, `row.update()`,
    `finish_run()`), `{"status": "x"}`, with `"x" if ... else "y"` or a tuple of them; enum members count
    too (`status=RunStatus.OK` is the string "ok")."""

    def constants(node: ast.AST) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return constants(node.body) + constants(node.orelse)
        if isinstance(node, ast.Tuple):
            return [c for elt in node.elts for c in constants(elt)]
        return []

    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "status":
            found.update(constants(node.value))
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "status" and value is not None:
                    found.update(constants(value))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Tuple) and any(isinstance(e, ast.Name) and e.id == "status" for e in t.elts)
            for t in node.targets
        ):
            # `status, outcome = ("failed", "failed") if permanent else ("pending", "deferred")`: the first
            target = next(t for t in node.targets if isinstance(t, ast.Tuple))
            index = next(i for i, e in enumerate(target.elts) if isinstance(e, ast.Name) and e.id == "status")
            branches = (
                [node.value.body, node.value.orelse] if isinstance(node.value, ast.IfExp) else [node.value]
            )
            for branch in branches:
                if isinstance(branch, ast.Tuple):
                    found.update(constants(branch.elts[index]))
    return found


def test_the_collector_sees_the_states_the_code_writes() -> None:
    """Guard for the test below: it must find the writes, not an empty set."""
    found = set().union(*(_written_states(ast.parse(p.read_text())) for p in JOBS.rglob("*.py")))
    assert {"pending", "sending", "sent", "failed", "superseded", "expired", "queued", "skipped"} <= found
    assert {"unreachable", "stopped"} <= found
    sample = ast.parse(
        'x.values(status="a" if y else "b"); d = {"status": "c"}; status, o = ("d", 1) if z else ("e", 2)'
    )
    assert _written_states(sample) == {"a", "b", "c", "d", "e"}


@pytest.mark.parametrize("path", sorted(JOBS.rglob("*.py")), ids=lambda p: p.name)
def test_every_state_the_code_writes_is_in_its_enum(path: Path) -> None:
    known = {str(s) for states in (MessageStatus, LedgerStatus, RunStatus) for s in states}
    assert _written_states(ast.parse(path.read_text())) - known == set()
