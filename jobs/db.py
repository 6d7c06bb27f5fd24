"""The database: one engine per process, `init-db`, the SQL files of `sql/`, and the job lock.

The same code runs on SQLite (the embedded default) and PostgreSQL (production). The fund's five input
tables come from the DDL in `sql/schema/`, created only where they do not exist (in production they are
usually views). The project's own tables are versioned by Alembic, so an upgrade keeps what was sent.
"""

from __future__ import annotations

import fcntl
import os
import re
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from jobs.resources import data_dir, sql_text
from jobs.store import OWN_TABLES, VERSION_TABLE

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

CONTRACT_TABLES = ("advisors", "beneficiaries", "decisions", "appeals", "complaints")


class LockHeld(Exception):
    """Another run holds the job lock (exit code 3)."""


class NotReady(Exception):
    """The database cannot be used as it is: unreachable, or `init-db` not run (exit code 2)."""


class DatabaseLost(Exception):
    """The database went away in the middle of a run (exit code 2, as a database that cannot be reached)."""


def lost_database(exc: BaseException) -> DatabaseLost | None:
    """A DatabaseLost saying what happened, if `exc` is the database's connection failing; else None."""
    if not isinstance(exc, DBAPIError) or not (
        exc.connection_invalidated or isinstance(exc, OperationalError)
    ):
        return None
    return DatabaseLost(
        f"the database failed during the run ({_detail(exc)}): what went out is recorded, nothing is "
        "marked sent that was not; run again once the database is back: the next run carries on"
    )


def open_database(url: str) -> Engine:
    """An engine on a database that is ready for the job: reachable, with the five contract tables and the
    project's own tables at the current migration. Anything else is said plainly at start."""
    engine = make_engine(url)
    shown = _shown(engine)
    database = engine.url.database
    if (
        engine.dialect.name == "sqlite"
        and database not in (None, "", ":memory:")
        and not Path(database).exists()
    ):
        # Never create an empty file by accident (a run from the wrong folder, a typo in the path).
        raise NotReady(
            f"no database file at {Path(database).resolve()}: check [database] url, or run `appealwatch init-db`"
        )
    try:
        with engine.connect() as conn:
            names = visible_relations(conn, (*CONTRACT_TABLES, VERSION_TABLE))
            versions = (
                conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
                if VERSION_TABLE in names
                else []
            )
    except SQLAlchemyError as exc:
        raise NotReady(f"cannot open the database {shown}: {_detail(exc)}") from None
    missing = [t for t in CONTRACT_TABLES if t not in names]
    if missing:
        raise NotReady(f"the database {shown} lacks {', '.join(missing)}: run `appealwatch init-db`")
    current = versions[0] if len(versions) == 1 else None
    head = migration_head()
    if current != head:
        raise NotReady(
            f"the project's tables in {shown} are at migration {current or 'none'}, not {head}: "
            "run `appealwatch init-db` to migrate them"
        )
    return engine


@contextmanager
def database(url: str) -> Iterator[Engine]:
    """`open_database`, disposed afterwards: `schedule` runs for months, and must not leak connections."""
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()


_REVISION = re.compile(r"^(down_revision|revision)\s*=\s*(?:None|\"([^\"]+)\")\s*$", re.MULTILINE)


@cache
def migration_head() -> str | None:
    """The newest migration's revision, read from jobs/migrations/versions/ without importing Alembic (half a
    second of every command's start-up); Alembic's own answer when the history is not one plain line."""
    revisions: dict[str, str | None] = {}
    for path in sorted((Path(__file__).parent / "migrations" / "versions").glob("*.py")):
        found = dict((name, value or None) for name, value in _REVISION.findall(path.read_text("utf-8")))
        if "revision" not in found or "down_revision" not in found or found["revision"] is None:
            return _alembic_head()
        revisions[found["revision"]] = found["down_revision"]
    heads = set(revisions) - set(revisions.values())
    return heads.pop() if len(heads) == 1 else _alembic_head()


def _alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _alembic_config() -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def make_engine(url: str) -> Engine:
    """An engine with the settings that make concurrent processes safe on SQLite too."""
    parsed = make_url(url)
    # hide_parameters: an error message must not carry families' names and addresses into logs.
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    engine = create_engine(url, connect_args={"timeout": 60}, hide_parameters=True)

    @event.listens_for(engine, "do_connect")
    def _sqlite_private_file(_dialect: Any, _record: Any, _args: Any, _kwargs: Any) -> None:
        # The database holds every message sent (names, addresses, bodies): a file SQLite is about to create is
        # made first, owner-only, whatever the umask; its -wal and -shm files take its mode. A file that
        # exists keeps the mode its operator gave it.
        if parsed.database not in (None, "", ":memory:") and not parsed.database.startswith("file:"):
            private_file(Path(parsed.database))

    @event.listens_for(engine, "connect")
    def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, open transactions: pysqlite would run SELECTs outside any
        # transaction, so that two reads in one block could see two different states of the database.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout = 60000")
        cur.execute("PRAGMA foreign_keys = ON")
        if parsed.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            # In WAL mode, NORMAL syncs at checkpoints, not at every commit: a killed process loses nothing
            # committed, but a power cut or OS crash may lose the last transactions (README, "Delivery").
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # A plain (deferred) BEGIN: in WAL mode readers never block the writers. Every write transaction of
        # the nightly job starts with its write (init-db aside), so it waits for the lock (busy_timeout)
        # instead of failing on an upgrade from a stale read snapshot.
        conn.exec_driver_sql("BEGIN")

    return engine


def private_file(path: Path) -> None:
    """Create `path` empty and readable by its owner only (0600 whatever the umask), unless it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a folder that is missing or not writable: SQLite says so in its own words
    try:
        os.fchmod(fd, 0o600)  # the mode given to open passes through the umask (a umask of 0077 aside)
    finally:
        os.close(fd)


def visible_relations(conn: Connection, names: tuple[str, ...]) -> set[str]:
    """The names a query would find: on PostgreSQL anywhere on the search path (the fund's views may live
    in a schema of their own), on SQLite in the database."""
    if conn.dialect.name == "postgresql":
        return {
            n for n in names if conn.execute(text("SELECT to_regclass(:n)"), {"n": n}).scalar() is not None
        }
    inspector = inspect(conn)
    return set(names) & (set(inspector.get_table_names()) | set(inspector.get_view_names()))


def init_db(engine: Engine) -> list[str]:
    """Create the contract tables (where missing) and migrate the project's own tables; idempotent.

    Returns the names of the contract tables it created, for the operator's message.
    """
    dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    try:
        return _init_db(engine, dialect)
    except SQLAlchemyError as exc:
        raise NotReady(f"cannot set up the database {_shown(engine)}: {_detail(exc)}") from None


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def describe_error(exc: BaseException) -> str:
    """One line about an exception, safe for a log, the run log or a terminal. For a database error only the
    first line of the server's message: PostgreSQL's DETAIL line ("Failing row contains (...)"), and the SQL
    and parameters SQLAlchemy appends, can carry a family's name, address or a message's text; a value the
    server quotes at the end of its line ('invalid input syntax for type date: "..."') is left out too."""
    if not is_database_error(exc):
        return f"{type(exc).__name__}: {exc}"
    source = getattr(exc, "orig", None) or exc
    lines = str(source).strip().splitlines()
    first = re.sub(r'(:\s*)".*"\s*$', r"\1(value not shown)", lines[0] if lines else "")
    if isinstance(exc, SQLAlchemyError) and source is exc:
        first = first.split(" [SQL:", 1)[0]
    return f"{type(source).__name__}: {first}"


def is_database_error(exc: BaseException) -> bool:
    """A database's error, or one raised while handling one (its message may carry row contents)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, SQLAlchemyError) or type(seen).__module__.split(".")[0] in ("psycopg", "sqlite3"):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _detail(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _init_db(engine: Engine, dialect: str) -> list[str]:
    with engine.begin() as conn:
        existing = visible_relations(conn, CONTRACT_TABLES)
        created = [t for t in CONTRACT_TABLES if t not in existing]
        for statement in split_sql(sql_text(f"schema/contract.{dialect}")):
            # Only for a name no query would find already.
            if ddl_target(statement) in created:
                conn.exec_driver_sql(statement)
        # Indexes only on real tables: in production the five names are often views.
        tables = set(inspect(conn).get_table_names())
        indexes = split_sql(sql_text("schema/contract_indexes"))
        if dialect == "sqlite":  # partial indexes for sql/odd_dates.sqlite.sql
            indexes += split_sql(sql_text("schema/contract_indexes.sqlite"))
        for statement in indexes:
            if ddl_target(statement) in tables:
                conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table to change its constraints; dropping the original while the ledger's
            # rows point at it would fail with the keys enforced. The pragma works outside a transaction only.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with conn.begin():
                from alembic import command

                cfg = _alembic_config()
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                # Our own tables only: the fund's may point at views, which SQLite cannot check.
                if sqlite and any(
                    conn.exec_driver_sql(f"PRAGMA foreign_key_check({table})").first() is not None
                    for table in OWN_TABLES
                ):
                    raise NotReady("the migration left a reference without its row: nothing was changed")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    return created


_DDL_TARGET = re.compile(
    r"^CREATE\s+(?:TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?P<table>\w+)"
    r"|(?:UNIQUE\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?\w+\s+ON\s+(?P<indexed>\w+))",
    re.IGNORECASE,
)


def ddl_target(statement: str) -> str:
    """The table a `CREATE TABLE` makes or a `CREATE INDEX` is on; any other statement is a mistake in our
    schema files, said at once."""
    found = _DDL_TARGET.match(statement.strip())
    if found is None:
        raise ValueError(f"not a CREATE TABLE or CREATE INDEX statement: {statement[:60]!r}")
    return found["table"] or found["indexed"]


def strip_comments(script: str) -> str:
    """Drop `--` comments (our files hold no `--` inside strings): a `:name` in a comment is not a parameter."""
    return "\n".join(line.split("--", 1)[0].rstrip() for line in script.splitlines()).strip()


def split_sql(script: str) -> list[str]:
    """Statements of a DDL file: `;`-separated (our files hold no `;` inside strings)."""
    return [s.strip() for s in strip_comments(script).split(";") if s.strip()]


def query(name: str) -> Any:
    """`sql/<name>.sql` as a bound-parameter statement."""
    return text(strip_comments(sql_text(name)))


def sql_files() -> list[str]:
    """Every query file the project ships (not the schema), for the consistency tests."""
    root = data_dir("sql")
    return sorted(p.stem for p in root.glob("*.sql"))


class HeldLock:
    """What `job_lock` yields: `check()` before a step that must not run twice (the plan's write)."""

    def __init__(self, conn: Connection | None = None, key: int = 0) -> None:
        self._conn, self._key = conn, key

    def check(self) -> None:
        """Raise LockHeld if the lock was lost: a PostgreSQL session lock dies with its connection (a
        restart, a network cut, an administrator), and another run may then have started."""
        if self._conn is None:
            return  # flock: held by this process until it ends
        try:
            held = self._conn.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :k"
                ),
                {"k": self._key},
            ).scalar_one()
            self._conn.commit()
        except SQLAlchemyError:
            held = 0
        if not held:
            raise LockHeld("the job lock was lost (its database connection dropped); stopping this run")


POLL_SECONDS = 0.25  # how often a waiting run tries the lock again


def _waiting(
    try_once: Callable[[], bool],
    wait: float,
    stopped: Callable[[], bool] | None,
    on_wait: Callable[[], None] | None,
) -> bool:
    """Try the lock; with `wait`, again until it is free or `wait` seconds passed (or a signal stops us)."""
    if try_once():
        return True
    if wait <= 0:
        return False
    if on_wait is not None:
        on_wait()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and not (stopped is not None and stopped()):
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))
        if try_once():
            return True
    return False


@contextmanager
def job_lock(
    engine: Engine,
    name: str = "nightly",
    wait: float = 0.0,
    stopped: Callable[[], bool] | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Iterator[HeldLock]:
    """Hold the job lock for the duration; raise LockHeld if another process holds it, at once or, with
    `wait`, once it stayed held that many seconds (`on_wait` is told when the waiting starts; `stopped`
    ends the wait early, for SIGTERM).

    The lock dies with its process (a PostgreSQL session advisory lock, or an flock on a file beside the
    SQLite database), so a run killed at 2 a.m. never blocks the next night.
    """
    waited = f" (waited {wait:g} s)" if wait > 0 else ""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            key = zlib.crc32(f"appealwatch:{name}:{schema}".encode())

            def try_pg() -> bool:
                got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar_one())
                conn.commit()
                return got

            if not _waiting(try_pg, wait, stopped, on_wait):
                raise LockHeld(f"another appealwatch {name} run holds the lock on this database{waited}")
            try:
                yield HeldLock(conn, key)
            finally:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    conn.commit()
                except SQLAlchemyError:
                    pass  # the connection is gone, and the lock with it
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield HeldLock()  # a private in-memory database: nobody else can run on it
        return
    lock_path = Path(f"{database}.{name}.lock")
    # Owner-only when it creates it, like the database beside it; held open for the lock's lifetime.
    handle: IO[str] = os.fdopen(os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600), "a+")

    def try_flock() -> bool:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        if not _waiting(try_flock, wait, stopped, on_wait):
            raise LockHeld(f"another appealwatch {name} run holds {lock_path}{waited}")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield HeldLock()
    finally:
        handle.close()
