"""Alembic environment for appealwatch's own tables, run programmatically by `appealwatch init-db`.

The connection is handed in by jobs.db.init_db; the version table has a name of our own so it cannot clash
with an `alembic_version` the fund's own schema may already have.
"""

from __future__ import annotations

from alembic import context

from jobs.store import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic` run by hand would get here
    raise RuntimeError("run migrations through `appealwatch init-db`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
