"""The floor of the whole-process table: read every decision joined to its family, as plainly as the
database's own driver can, in a process of its own (benchmarks.night runs this file with the venv's python).

    python benchmarks/floor.py sqlite PATH            # sqlite3: execute().fetchall()
    python benchmarks/floor.py postgresql CONNINFO    # psycopg: COPY (SELECT ...) TO STDOUT, every block kept

Prints the number of rows read. Standard library and psycopg only: what it costs is the read, not imports.
"""

from __future__ import annotations

import sys

QUERY = (
    "SELECT d.id, d.beneficiary_id, d.kind, d.decided_on, d.period_start, d.notified_on, "
    "d.appeal_info_complete, d.withdrawn_on, b.full_name, b.email, b.language, b.judicial_district, "
    "b.advisor_id FROM decisions AS d JOIN beneficiaries AS b ON b.id = d.beneficiary_id"
)


def read_sqlite(path: str) -> int:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(QUERY).fetchall()
    finally:
        connection.close()
    return len(rows)


def read_postgresql(conninfo: str) -> int:
    import psycopg

    with (
        psycopg.connect(conninfo) as connection,
        connection.cursor() as cursor,
        cursor.copy(f"COPY ({QUERY}) TO STDOUT") as copy,
    ):
        blocks = [bytes(block) for block in copy]  # consumed fully and kept, as fetchall keeps its rows
    return sum(block.count(b"\n") for block in blocks)


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("sqlite", "postgresql"):
        print(__doc__, file=sys.stderr)
        return 2
    backend, target = argv
    print(read_sqlite(target) if backend == "sqlite" else read_postgresql(target))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
