"""Reading the fund's five tables into frames, with the bad rows reported and skipped one by one.

The job only reads these tables. Decisions come from the nightly scan (only those that can still have a window
open or in grace), from all of them (`windows --all`) or one (`explain`); their appeals and complaints, and the
people to write to, are then read for exactly those decisions, in batches of bound ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import numpy as np
import pandas as pd
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from deadlines.scan import scan_parameters
from deadlines.validate import DECISION_COLUMNS, Found, Issue, Problem, merged, validate_decisions
from jobs.config import LANGUAGES
from jobs.db import query
from notifiers.message import PLAIN_ADDRESS, plain_address

BATCH = 5000  # ids per read on SQLite: one `?` each, under its limit of bound variables
# On PostgreSQL the ids of a read are one parameter (a text array), so a batch is only a bound on the size of
# one statement's array and one fetch: fewer, bigger reads (a round trip and a plan each).
BATCH_POSTGRESQL = 50000
Scope = Literal["scan", "all"] | int


@dataclass
class Inputs:
    decisions: pd.DataFrame
    appeals: pd.DataFrame
    complaints: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    read: int = 0  # rows of decisions read, bad ones included


@dataclass
class People:
    """Beneficiaries and advisors by id, with a usable address (or None) and the language to write in."""

    beneficiaries: pd.DataFrame
    advisors: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)


# A query of sql/ as its driver takes it, cached per dialect: on SQLite with `?` in the order the names
# occur (sqlite3's own `:name` makes SQLite search the names already seen for each one: quadratic in 5,000
# ids); on PostgreSQL psycopg's `%(name)s`, the list of ids as one array (`IN :ids` -> `= ANY(...)`: the same
# rows, the same index), bound as ONE text literal '{1,2,3}' cast to bigint[] in the statement (psycopg's
# dumping of a Python list of ints, element by element, was half a second of a 1M night). Sent with
# `exec_driver_sql` and fetched as the driver's own tuples, which become a frame's columns in one step:
# SQLAlchemy's compiling of 5,000 expanded ids and a dict per row went there.
_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")
_IN_IDS = re.compile(r"\bIN\s+:ids\b", re.IGNORECASE)
# `x IN (SELECT ...)` (a plain subquery, without parentheses of its own) is `x = ANY(ARRAY(SELECT ...))` on
# PostgreSQL: the subquery run once, its ids looked up by index (sql/scan_decisions.sql says why); `x NOT IN
# (SELECT ...)` likewise `x <> ALL(ARRAY(SELECT ...))` (NULL, never true, where the subquery has a NULL).
_IN_SELECT = re.compile(r"\b(NOT\s+)?IN\s*\((SELECT\b[^()]*)\)", re.IGNORECASE)


def _in_array(match: re.Match[str]) -> str:
    return f"{'<> ALL' if match[1] else '= ANY'}(ARRAY({match[2]}))"


_IDS = "\x00ids\x00"  # where SQLite's list of ids goes, one `?` per id


_FROM = re.compile(r"\s+FROM\b", re.IGNORECASE)
_UNION = re.compile(r"(\bUNION(?:\s+ALL)?\b)", re.IGNORECASE)


def _with_extra(sql: str, extra: tuple[str, ...]) -> str:
    """`sql` with the optional columns `extra` at the end of the SELECT list of each branch of its UNION (a
    UNION needs them in every branch: the scan has four), each named by its table's alias in the branch
    (`decisions AS d`: d.reference) or else its table's name: another table of a branch's join (a fund's
    complaints view with a `reference` of its own) cannot make the column ambiguous."""
    parts = _UNION.split(sql)  # the branches, with the UNIONs between them (odd positions)
    for i in range(0, len(parts), 2):
        named = []
        for column in extra:
            table = OPTIONAL_COLUMNS[column]
            alias = re.search(rf"\b(?:FROM|JOIN)\s+{table}\s+AS\s+(\w+)", parts[i], re.IGNORECASE)
            named.append(f"{alias[1] if alias else table}.{column}")
        parts[i] = _FROM.sub(", " + ", ".join(named) + "\nFROM", parts[i], count=1)
    return "".join(parts)


@lru_cache(maxsize=64)
def _driver_sql(name: str, postgresql: bool, extra: tuple[str, ...] = ()) -> tuple[str, tuple[str, ...]]:
    """(the statement, the parameters' names in order of occurrence: SQLite's `?`, `ids` one per id).
    `extra`: optional columns of the contract (OPTIONAL_COLUMNS' names only, never anything read or typed)
    added to the end of the query's SELECT list (_with_extra), for a fund whose table or view has them."""
    sql: str = query(name).text
    if extra:
        sql = _with_extra(sql, extra)
    if postgresql:
        sql = _IN_IDS.sub("= ANY(CAST(:ids AS bigint[]))", sql.replace("%", "%%"))
        sql = _IN_SELECT.sub(_in_array, sql)
        return _PARAMETER.sub(r"%(\1)s", sql), ()
    order = tuple(_PARAMETER.findall(sql))
    return _PARAMETER.sub(lambda m: _IDS if m[1] == "ids" else "?", sql), order


def _pg_array(ids: Iterable[int]) -> str:
    """PostgreSQL's text form of an array of whole numbers: '{1,2,3}' (each id an int, or int-like)."""
    return "{" + ",".join(map(str, map(int, ids))) + "}"


def driver_statement(
    dialect: str, name: str, params: Mapping[str, object], extra: tuple[str, ...] = ()
) -> tuple[str, Any]:
    """`sql/<name>.sql` and `params` as the database's driver takes them (`ids` a list of ids; dates as ISO
    text on SQLite, as SQLAlchemy's Date writes them). benchmarks.plans explains exactly this statement."""
    postgresql = dialect == "postgresql"
    sql, order = _driver_sql(name, postgresql, extra)
    if postgresql:
        # `ids` a list of ids, or their array text already made (Ids.texts)
        return sql, {
            k: _pg_array(v) if k == "ids" and not isinstance(v, str) else v  # type: ignore[arg-type]
            for k, v in params.items()
        }
    bound: list[Any] = []
    for key in order:
        value = params[key]
        if key == "ids":
            ids = list(value)  # type: ignore[call-overload]
            sql = sql.replace(_IDS, "(" + ", ".join("?" * len(ids)) + ")", 1)
            bound.extend(ids)
        else:
            bound.append(value.isoformat() if isinstance(value, date) else value)
    return sql, tuple(bound)


def _frame(
    conn: Connection,
    name: str,
    params: Mapping[str, object],
    columns: Sequence[str],
    extra: tuple[str, ...] = (),
) -> pd.DataFrame:
    sql, bound = driver_statement(conn.dialect.name, name, params, extra)
    result = conn.exec_driver_sql(sql, bound)  # SQLAlchemy's transaction (BEGIN on SQLite) and its errors
    error = conn.dialect.loaded_dbapi.Error
    try:
        rows = result.cursor.fetchall()  # the driver's tuples: no Row, no dict per row
        names = [d[0] for d in result.cursor.description]
    except error as exc:  # as SQLAlchemy would raise it (jobs.db.lost_database, describe_error)
        raise DBAPIError.instance(sql, None, exc, error, hide_parameters=True) from exc
    finally:
        result.close()
    # The same construction as from a dict per row (pandas infers each column's type alike), then the
    # columns asked for, by name (a caller may want fewer than the query reads).
    frame = pd.DataFrame(rows, columns=names)
    return frame if names == list(columns) else frame.reindex(columns=list(columns))


class Ids:
    """Ids that several reads take in turn (the scan's decisions: their copies, appeals and complaints), sorted
    and once each, made once; on PostgreSQL each batch's array text too, not again for every query (the
    sorting and the text of 100,000 ids were a tenth of a second a read)."""

    def __init__(self, ids: Iterable[int]) -> None:
        self.sorted: list[int] = _unique(ids)
        self._texts: dict[int, list[str]] = {}

    def texts(self, batch: int) -> list[str]:
        """Each batch of `batch` ids as PostgreSQL's array text (_pg_array)."""
        if batch not in self._texts:
            self._texts[batch] = [
                _pg_array(self.sorted[i : i + batch]) for i in range(0, len(self.sorted), batch)
            ]
        return self._texts[batch]


def _unique(ids: Iterable[int]) -> list[int]:
    """The ids as Python ints, sorted, once each: by numpy for a column or array of whole numbers (or of
    floats that are all ids: a NULL elsewhere made pandas use floats), else one by one."""
    values = ids.to_numpy() if isinstance(ids, pd.Series) else ids
    if isinstance(values, np.ndarray) and (
        values.dtype.kind == "i" or (values.dtype.kind == "f" and np.isfinite(values).all())
    ):
        # int() of a float id truncates as astype does; the ids of a column are whole numbers anyway
        ordered = np.sort(values.astype("int64"))  # then each id once: numpy's unique hashes first, slower
        first = np.ones(len(ordered), dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        return list(ordered[first].tolist())
    return sorted({int(i) for i in ids})


def read_by_ids(
    conn: Connection, name: str, ids: Iterable[int] | Ids, columns: Sequence[str], extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """The rows of `sql/<name>.sql` for these ids (sorted, once each, in batches), as a frame of `columns`
    (`extra`: optional columns the query reads as well, see _driver_sql; list them in `columns` too)."""
    known = ids if isinstance(ids, Ids) else Ids(ids)
    unique = known.sorted
    if conn.dialect.name == "postgresql":
        batches: list[Any] = known.texts(BATCH_POSTGRESQL)  # the array text, bound as it is
    else:
        batches = [unique[i : i + BATCH] for i in range(0, len(unique), BATCH)]
    parts = [_frame(conn, name, {"ids": batch}, columns, extra) for batch in batches]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(columns))


# The optional columns of the contract (added 2026-11): column -> its table. Read with the table's rows
# (read_people, read_decisions: `extra`), never by a query of their own.
OPTIONAL_COLUMNS: dict[str, str] = {
    "phone": "beneficiaries",
    "postal_address": "beneficiaries",
    "reference": "decisions",
}


def optional_columns(conn: Connection) -> frozenset[str]:
    """Which optional columns the fund's tables or views have. Checked once per run (the caller keeps the
    answer): a column that is missing reads as empty, never as an error. Each probe runs in a savepoint, so a
    refused one leaves PostgreSQL's transaction usable."""
    found = set()
    for column, table in OPTIONAL_COLUMNS.items():
        try:
            with conn.begin_nested():
                conn.execute(text(f"SELECT {column} FROM {table} WHERE 1 = 0"))
        except SQLAlchemyError:
            continue
        found.add(column)
    return frozenset(found)


def _optional_values(values: pd.Series) -> np.ndarray:
    """An optional column's values as the frames carry them: None where the row leaves it empty (NULL, NaN,
    blanks), else the text stripped. Column-wise: the blanks found by pandas, the text made once a value."""
    out = np.full(len(values), None, dtype=object)
    present = values.notna().to_numpy()
    if present.any():
        text = np.array([str(v).strip() for v in values.to_numpy(dtype=object)[present]], dtype=object)
        out[np.flatnonzero(present)[text != ""]] = text[text != ""]
    return out


def _optional_of(table: str, present: frozenset[str]) -> tuple[str, ...]:
    """The optional columns of `table` the fund has, in OPTIONAL_COLUMNS' order."""
    return tuple(c for c, owner in OPTIONAL_COLUMNS.items() if owner == table and c in present)


def _with_optional_values(frame: pd.DataFrame, table: str, extra: tuple[str, ...]) -> pd.DataFrame:
    """`frame` (read with the optional columns `extra` of `table`) with every optional column of `table` as
    the frames carry it (_optional_values): those it was not read with (the fund lacks them) all None."""
    for column in _optional_of(table, frozenset(OPTIONAL_COLUMNS)):
        frame[column] = pd.Series(
            _optional_values(frame[column]) if column in extra else np.full(len(frame), None, dtype=object),
            index=frame.index,
            dtype=object,
        )
    return frame


def _ids_unique(conn: Connection) -> bool:
    """Whether the database itself holds decisions' ids unique (sql/decisions_id_unique.postgresql.sql): a
    table with its primary key, where sql/duplicate_decisions.sql cannot find a row. Asked on PostgreSQL only,
    where that read cost a tenth of the night; on SQLite it costs milliseconds, and is always made."""
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.execute(query("decisions_id_unique.postgresql")).scalar_one())


def read_decisions(conn: Connection, on: date, scope: Scope, present: frozenset[str] | None = None) -> Inputs:
    """Decisions in scope with their appeals and complaints, validated; bad rows become problems.

    With `present` (what `optional_columns` found), the decisions carry the contract's optional columns of
    decisions too (`reference`), read with them by the same query (not by one more read of their ids): None
    where the fund's table lacks the column or the row leaves it empty, else the text stripped."""
    return validated(read_unchecked(conn, on, scope, present), present)


@dataclass
class Unchecked:
    """Decisions with their appeals and complaints as read (read_unchecked), not yet validated (validated)."""

    decisions: pd.DataFrame
    appeals: pd.DataFrame
    complaints: pd.DataFrame
    read: int  # rows of decisions read, bad ones included
    extra: tuple[str, ...]  # the optional columns of decisions read with them


def read_unchecked(
    conn: Connection, on: date, scope: Scope, present: frozenset[str] | None = None
) -> Unchecked:
    """read_decisions' reading, without its validation."""
    extra = _optional_of("decisions", present or frozenset())
    columns = (*DECISION_COLUMNS, *extra)
    if scope == "scan":
        decisions = _frame(conn, "scan_decisions", scan_parameters(on), columns, extra)
        if conn.dialect.name == "postgresql":
            decisions = _in_id_order(decisions)  # see there
        if conn.dialect.name == "sqlite":
            odd = _frame(conn, "odd_dates.sqlite", {}, columns, extra)
            decisions = pd.concat([decisions, odd], ignore_index=True).drop_duplicates(ignore_index=True)
        if extra:
            decisions = _folded_without_id(decisions)
        # The scanned ids, made once for the three reads by them: the copies keep to these ids, so that the
        # appeals and complaints below are read by the same set.
        scanned = Ids(decisions["id"].dropna())
        copies = (
            read_by_ids(conn, "duplicate_decisions", scanned, columns, extra)
            if not _ids_unique(conn)
            else pd.DataFrame(columns=list(columns))
        )
        if not copies.empty:  # a view without primary key: every copy, for validation to report each
            kept = decisions[~decisions["id"].isin(copies["id"])]
            decisions = pd.concat([kept, copies], ignore_index=True)
    elif scope == "all":
        decisions = _frame(conn, "all_decisions", {}, columns, extra)
    else:
        decisions = _frame(conn, "one_decision", {"decision_id": int(scope)}, columns, extra)
    read = len(decisions)
    ids = scanned if scope == "scan" else Ids(decisions["id"].dropna())
    appeals = read_by_ids(conn, "appeals_of", ids, ["id", "decision_id", "forum", "filed_on"])
    complaints = read_by_ids(conn, "complaints_of", ids, ["id", "decision_id", "filed_on", "closed_on"])
    return Unchecked(decisions, appeals, complaints, read, extra)


def validated(raw: Unchecked, present: frozenset[str] | None = None) -> Inputs:
    """read_decisions' validation of what read_unchecked read (`present`: as read_decisions)."""
    decisions, appeals, complaints, problems = validate_decisions(raw.decisions, raw.appeals, raw.complaints)
    if present is not None:
        decisions = _with_optional_values(decisions, "decisions", raw.extra)
    return Inputs(decisions, appeals, complaints, list(problems), raw.read)


def families_of(decisions: pd.DataFrame) -> Ids:
    """The families the decisions as read name (the ids that are whole numbers): those of the night's windows
    and a few more (a bad row's), for reading them before the windows are worked out (jobs.nightly)."""
    ids = pd.to_numeric(decisions["beneficiary_id"], errors="coerce").to_numpy(
        dtype="float64", na_value=np.nan
    )
    return Ids(ids[np.isfinite(ids)])


def _folded_without_id(decisions: pd.DataFrame) -> pd.DataFrame:
    """The scan's rows with those without an id that differ only in the optional columns folded into one, as
    the scan's UNION folds them when it reads the contract's columns alone: such a row is reported (id is
    missing) and skipped, once. (Rows with an id are not folded: duplicate_decisions reads every copy.)"""
    no_id = decisions["id"].isna().to_numpy(dtype=bool)
    if not no_id.any():
        return decisions
    again = decisions.duplicated(list(DECISION_COLUMNS)).to_numpy(dtype=bool) & no_id
    return decisions[~again].reset_index(drop=True)


def decisions_not_read(conn: Connection, read: int) -> int:
    """How many rows of decisions the nightly scan left unread: closed for good before its reach. With the
    windows it computed they make the windows `windows --all` lists (bad rows apart), so the counts add up."""
    total = conn.execute(query("count_decisions")).scalar_one()
    return max(int(total) - read, 0)


# A plain address (notifiers.message.plain_address) is one email_validator gives back unchanged: taken as it
# is; anything else goes through email_validator itself (tests/test_validate_fast.py checks that they agree).
_PLAIN_EMAIL, _plain = PLAIN_ADDRESS, plain_address


@lru_cache(maxsize=65536)
def _validated(address: str) -> tuple[str | None, str | None]:
    try:
        return validate_email(address, check_deliverability=False).normalized, None
    except EmailNotValidError:
        return None, "invalid"


def usable_email(address: object) -> tuple[str | None, str | None]:
    """(normalised address, None) or (None, "missing" | "invalid"). Syntax only: no DNS at 2 a.m.

    A plain address (see _PLAIN_EMAIL) is taken as it is, without email_validator's full parse (half of a
    1M-decision dry run's time went there); any other is validated once per distinct address."""
    if address is None or (isinstance(address, float) and pd.isna(address)) or not str(address).strip():
        return None, "missing"
    text = str(address).strip()
    if _plain(text):
        return text, None
    return _validated(text)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and pd.isna(value)) or not str(value).strip()


# Python's own strings for pandas' text methods: Python's `re`, as plain_address uses it (an Arrow-backed
# column would match with RE2), and faster through pandas than object columns.
_PYTHON_TEXT = pd.StringDtype(storage="python")


def _plain_column(texts: list[str]) -> np.ndarray:
    """`plain_address` of each text (stripped, non-empty), in columns: the pattern matched by pandas (Python's
    `re`, the same PLAIN_ADDRESS), the lengths as counts, and each distinct domain (a handful a night) checked
    once by plain_address itself as 'a@<domain>': a plain address is plain exactly when its whole is at most
    254 characters, its local part at most 64 and its domain passes with a one-letter local part.
    tests/test_validate_columns.py holds it equal to plain_address."""
    column = pd.Series(texts, dtype=_PYTHON_TEXT)
    plain = column.str.fullmatch(PLAIN_ADDRESS.pattern).to_numpy(dtype=bool, na_value=False)
    if not plain.any():
        return plain
    plain &= column.str.len().to_numpy(dtype="int64") <= 254
    plain &= column.str.find("@").to_numpy(dtype="int64") <= 64  # the local part's length: the one "@"
    matched = np.flatnonzero(plain)
    codes, domains = pd.factorize(np.array([texts[i].partition("@")[2] for i in matched], dtype=object))
    plain[matched] = np.array([plain_address(f"a@{d}") for d in domains], dtype=bool)[codes]
    return plain


def usable_emails(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """usable_email of every value, in columns: (addresses, reasons) as object arrays. The plain addresses
    are found by _plain_column; only the others (a few a night) go through usable_email one by one."""
    raw = values.to_numpy(dtype=object)
    addresses = np.full(len(raw), None, dtype=object)
    reasons = np.full(len(raw), None, dtype=object)
    null = pd.isna(values).to_numpy(dtype=bool)
    texts = np.array([str(v).strip() for v in raw[~null]], dtype=object)
    given = np.flatnonzero(~null)
    reasons[np.flatnonzero(null)] = "missing"
    reasons[given[texts == ""]] = "missing"
    plain = _plain_column(texts.tolist())
    addresses[given[plain]] = texts[plain]
    for i in given[~plain & (texts != "")]:
        addresses[i], reasons[i] = usable_email(raw[i])
    for i in np.flatnonzero(null):  # pandas' null other than None and NaN (pd.NA...): as usable_email says
        if raw[i] is not None and not isinstance(raw[i], float):
            addresses[i], reasons[i] = usable_email(raw[i])
    return addresses, reasons


def _blanks(values: pd.Series) -> np.ndarray:
    """_blank of every value, in columns."""
    raw = values.to_numpy(dtype=object)
    blank = np.ones(len(raw), dtype=bool)
    null = pd.isna(values).to_numpy(dtype=bool)
    blank[~null] = np.array([not str(v).strip() for v in raw[~null]], dtype=bool)
    for i in np.flatnonzero(null):  # pandas' null other than None and NaN: as _blank says
        blank[i] = _blank(raw[i])
    return blank


def _checked(frame: pd.DataFrame, table: str, fallback: str) -> tuple[pd.DataFrame, list[Problem]]:
    """People with `address`, `address_problem` and `lang`; one problem per bad row. A row whose id is shared
    with another row (a view without primary key) or without a name is skipped: whom to write to, and how to
    greet them, would be a guess. The others are used, with the stated policy.

    Column by column: the addresses by usable_emails, the names' blanks at once, each distinct language once;
    only the rows found bad (a few a night) are looked at one by one, to word their problems."""
    duplicated = frame["id"].duplicated(keep=False).to_numpy(dtype=bool)
    nameless = _blanks(frame["full_name"])
    emails, reasons = usable_emails(frame["email"])
    codes, spoken = pd.factorize(frame["language"].astype(object), use_na_sentinel=False)
    lang_of = np.array(["" if _blank(v) else str(v).strip().lower() for v in spoken], dtype=object)[codes]
    unknown = ~np.isin(lang_of, list(LANGUAGES))
    invalid = reasons == "invalid"
    skipped = duplicated | nameless
    problems: list[Problem] = []
    ids = frame["id"].to_numpy(dtype=object)
    raw_emails = frame["email"].to_numpy(dtype=object)
    raw_languages = frame["language"].to_numpy(dtype=object)
    for i in np.flatnonzero(skipped | invalid | unknown):
        ident = int(ids[i])
        found: list[Found] = []
        if duplicated[i]:
            found.append(
                (
                    "id",
                    f"duplicate id {ident}: every row with it is skipped",
                    True,
                    Issue("duplicate", {"column": "id", "raw": ident}),
                )
            )
        if nameless[i]:
            found.append(
                ("full_name", "full_name is missing", True, Issue("missing", {"column": "full_name"}))
            )
        if invalid[i]:
            found.append(
                (
                    "email",
                    f"malformed e-mail address {raw_emails[i]!r}; listed for a letter or a call",
                    False,
                    Issue("malformed_email", {"address": raw_emails[i]}),
                )
            )
        if unknown[i]:
            lang, raw = lang_of[i], raw_languages[i]
            what = "language is missing" if not lang else f"language {raw!r} is not one of"
            known = "" if not lang else f" {', '.join(LANGUAGES)}"
            issue = (
                Issue("no_language", {"lang": fallback})
                if not lang
                else Issue("unknown_language", {"raw": raw, "lang": fallback})
            )
            found.append(("language", f"{what}{known}; writing in {fallback!r}", False, issue))
        problems.append(merged(table, ident, found))
    lang_of[unknown] = fallback
    checked = frame.assign(
        address=pd.Series(emails, index=frame.index, dtype=object),
        address_problem=pd.Series(reasons, index=frame.index, dtype=object),
        lang=pd.Series(lang_of, index=frame.index, dtype=object),
    )[pd.Series(~skipped, index=frame.index, dtype=bool)]
    return checked.set_index("id", drop=False), problems


def read_people(
    conn: Connection,
    beneficiary_ids: Iterable[int],
    fallback_language: str,
    present: frozenset[str] | None = None,
) -> People:
    """The beneficiaries of these windows and their advisors, each with `address` and `lang`.

    A malformed address is a data problem to report, but never a reason to drop the family: the person is
    kept, without an address, so that the advisor's digest and the report list them for a letter or a call.
    The caller passes the families of every window in the night's scan, so a bad row is reported while it
    can still matter; the checks loop over those people, not over decisions. The families also carry the
    optional `phone` and `postal_address` (None where the fund does not record them; `present` is what
    `optional_columns` found, checked here when not given).
    """
    if present is None:
        present = optional_columns(conn)
    beneficiaries, advisors = read_families(conn, beneficiary_ids, present)
    return checked_people(beneficiaries, advisors, fallback_language)


def read_families(
    conn: Connection, beneficiary_ids: Iterable[int] | Ids, present: frozenset[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """read_people's reading, without its checks: the beneficiaries (by id) and their advisors, as read."""
    # The optional columns the fund has are read with the families themselves (one read, not one more per
    # column by the same ids); those it lacks are None (_with_optional_values).
    extra = _optional_of("beneficiaries", present)
    columns = ["id", "full_name", "email", "language", "judicial_district", "advisor_id"]
    beneficiaries = read_by_ids(conn, "beneficiaries_of", beneficiary_ids, [*columns, *extra], extra)
    optional = _optional_of("beneficiaries", frozenset(OPTIONAL_COLUMNS))
    beneficiaries = _with_optional_values(
        beneficiaries.reindex(columns=[*columns, *optional]), "beneficiaries", extra
    )
    advisor_ids = beneficiaries["advisor_id"].dropna().astype("int64").to_numpy()
    advisors = read_by_ids(conn, "advisors_of", advisor_ids, ["id", "full_name", "email", "language", "team"])
    return _in_id_order(beneficiaries), _in_id_order(advisors)


def families_among(
    beneficiaries: pd.DataFrame, advisors: pd.DataFrame, asked: Ids, beneficiary_ids: Iterable[int]
) -> tuple[pd.DataFrame, pd.DataFrame, list[int]]:
    """Of the families read_families read for the ids `asked`, those of `beneficiary_ids` and their advisors,
    as read_families would read them by these ids; with those of `beneficiary_ids` it was not asked for (none,
    when it was asked for a superset). A family asked for that has no row is not among them, as it would
    not be read by its id either."""
    wanted = Ids(beneficiary_ids).sorted
    kept = beneficiaries[beneficiaries["id"].isin(wanted)].reset_index(drop=True)
    theirs = kept["advisor_id"].dropna().astype("int64")
    missing = sorted(set(wanted) - set(asked.sorted))
    return kept, advisors[advisors["id"].isin(theirs)].reset_index(drop=True), missing


def _in_id_order(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows in id order (stable: a repeated id keeps its rows' order; ids missing last, where a database's sort
    puts them), so that the night's order does not depend on the database's plan.

    - People: nor on how their ids fell into batches (read_by_ids), nor on reading more ids than needed.
    - PostgreSQL's scan: its UNION either sorts the rows (by every column, the id first: the 1M night's plan)
      or hashes them (a small night's), in an order that every column read changes, `reference` too; in id
      order, the night's bad rows and windows.csv do not depend on the planner's choice. SQLite's UNION
      keeps its rows in a b-tree, by id.
    """
    if rows["id"].is_monotonic_increasing:  # sorted by the database already: nothing to do
        return rows
    return rows.sort_values("id", kind="stable", na_position="last", ignore_index=True)


def checked_people(beneficiaries: pd.DataFrame, advisors: pd.DataFrame, fallback_language: str) -> People:
    """read_people's checks of the families read_families read."""
    beneficiaries, problems = _checked(beneficiaries, "beneficiaries", fallback_language)
    advisors, advisor_problems = _checked(advisors, "advisors", fallback_language)
    return People(beneficiaries, advisors, problems + advisor_problems)
