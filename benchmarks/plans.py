"""What the database's planner does with one of the project's queries: for each branch of a UNION (or the
whole query), how each table is read. The same shape on SQLite (EXPLAIN QUERY PLAN) and PostgreSQL
(EXPLAIN (FORMAT JSON)), so that tests/test_scan_plan.py asserts once for both and the benchmark prints it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from jobs.inputs import driver_statement

PRIMARY_KEY = "PRIMARY KEY"  # the index name given to SQLite's rowid lookups

_SQLITE_STEP = re.compile(
    r"^(?P<op>SCAN|SEARCH) (?P<name>\w+)"
    r"(?: USING (?:(?:COVERING )?INDEX (?P<index>\w+)|(?P<rowid>INTEGER PRIMARY KEY)))?"
)
_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)\s+(?:AS\s+)?(\w+)", re.IGNORECASE)
_KEYWORDS = {"WHERE", "ON", "JOIN", "LEFT", "INNER", "ORDER", "GROUP", "UNION", "LIMIT"}


@dataclass(frozen=True)
class Access:
    """One read of one table: through `index` (None: the table itself), `full` when every row (or every
    index entry) is read rather than a range or an equality."""

    table: str
    index: str | None
    full: bool
    detail: str

    def __str__(self) -> str:
        how = f"{'all of ' if self.full else ''}{self.index}" if self.index else "full table scan"
        return f"{self.table} by {how}"


@dataclass(frozen=True)
class Branch:
    """The reads of one branch of a UNION, in plan order."""

    accesses: tuple[Access, ...]

    def of(self, table: str) -> list[Access]:
        return [a for a in self.accesses if a.table == table]

    def tables(self) -> set[str]:
        return {a.table for a in self.accesses}

    def __str__(self) -> str:
        return ", ".join(str(a) for a in self.accesses)


def explain(conn: Connection, name: str, params: Mapping[str, Any]) -> list[Branch]:
    """The plan of `sql/<name>.sql` with these parameters (`ids` a list), as jobs.inputs sends it (jobs.inputs.driver_statement), one
    Branch per branch of its UNION (one Branch if it has none). On PostgreSQL the session's planner settings
    (e.g. enable_seqscan) apply."""
    sql, bound = driver_statement(conn.dialect.name, name, params)  # exactly what jobs.inputs sends
    postgresql = conn.dialect.name == "postgresql"
    explained = conn.exec_driver_sql(
        ("EXPLAIN (FORMAT JSON) " if postgresql else "EXPLAIN QUERY PLAN ") + sql, bound
    )
    if postgresql:
        return _postgresql_branches(explained.scalar_one()[0]["Plan"])
    rows = [(int(r[0]), int(r[1]), str(r[3])) for r in explained]
    return _sqlite_branches(rows, _aliases(sql))


def _aliases(sql: str) -> dict[str, str]:
    """alias -> table of every `FROM table AS alias` / `JOIN table alias` (SQLite's plan names the alias)."""
    return {alias: table for table, alias in _ALIAS.findall(sql) if alias.upper() not in _KEYWORDS}


def _sqlite_branches(rows: list[tuple[int, int, str]], aliases: dict[str, str]) -> list[Branch]:
    children: dict[int, list[tuple[int, str]]] = {}
    for node, parent, detail in rows:
        children.setdefault(parent, []).append((node, detail))

    def steps(node: int) -> Iterator[str]:
        for child, detail in children.get(node, []):
            yield detail
            yield from steps(child)

    compound = next((node for node, _, detail in rows if detail == "COMPOUND QUERY"), None)
    roots = [child for child, _ in children.get(compound, [])] if compound is not None else [0]
    branches = []
    for root in roots:
        accesses = []
        for detail in steps(root):
            match = _SQLITE_STEP.match(detail)
            if match is None:
                continue  # temp b-trees, subquery markers: no table read
            table = aliases.get(match["name"], match["name"])
            index = PRIMARY_KEY if match["rowid"] else match["index"]
            accesses.append(Access(table, index, match["op"] == "SCAN", detail))
        branches.append(Branch(tuple(accesses)))
    return branches


def _postgresql_branches(plan: dict[str, Any]) -> list[Branch]:
    union = _find(plan, lambda node: node["Node Type"] == "Append")
    roots = union.get("Plans", []) if union is not None else [plan]
    return [Branch(tuple(_postgresql_accesses(root, None))) for root in roots]


def _find(node: dict[str, Any], wanted: Any) -> dict[str, Any] | None:
    if wanted(node):
        return node
    for child in node.get("Plans", []):
        found = _find(child, wanted)
        if found is not None:
            return found
    return None


def _postgresql_accesses(node: dict[str, Any], heap: str | None) -> Iterator[Access]:
    """Scan nodes under `node`; a Bitmap Index Scan belongs to the table of the Bitmap Heap Scan above it."""
    kind = node["Node Type"]
    condition = node.get("Index Cond")
    if kind == "Seq Scan":
        yield Access(node["Relation Name"], None, True, f"Seq Scan on {node['Relation Name']}")
    elif kind in ("Index Scan", "Index Only Scan"):
        yield Access(node["Relation Name"], node["Index Name"], condition is None, f"{kind}: {condition}")
    elif kind == "Bitmap Index Scan":
        yield Access(heap or "?", node["Index Name"], condition is None, f"{kind}: {condition}")
    heap = node.get("Relation Name", heap) if kind == "Bitmap Heap Scan" else heap
    for child in node.get("Plans", []):
        yield from _postgresql_accesses(child, heap)
