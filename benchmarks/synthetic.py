"""A seeded synthetic history of the fund's decisions, drawn with numpy in whole columns (a million decisions
in about a second), as the engine's frames or as rows for the five contract tables.

The mix follows jobs/demo_data.py (which draws a few hundred rows one by one, for people to read): kinds
60/15/10/15, notified one to ten days after the decision, 5% without appeal information (art. 89), 2%
withdrawn, a few old-law payment periods and decisions not notified yet, about 8% of decisions appealed and
about 6% complaint rows, closed within 45 days (a few never), some decisions with a second or third
complaint after the first one closed. The history is a snapshot as of `on`: nothing in it happens after
`on` (a complaint closing later is still open on `on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from deadlines.engine import select_rules
from deadlines.rules import KINDS, RULES, period_cutoff
from deadlines.validate import DECISION_COLUMNS

# The mix of kinds drawn (a kind of the vocabulary not listed here is not drawn).
KIND_SHARES: Final = {
    "payment": 0.60,
    "care_allowance": 0.15,
    "beneficiary_designation": 0.10,
    "arbitration_ruling": 0.15,
}
LANGUAGE_SHARES: Final = {"nl": 0.80, "fr": 0.12, "en": 0.05, "de": 0.03}
DISTRICTS: Final = (
    "Antwerpen",
    "Oost-Vlaanderen",
    "West-Vlaanderen",
    "Limburg",
    "Leuven",
    "Brussel",
    "Eupen",
)
ADVISORS: Final = 12
APPEALED_SHARE: Final = 0.085  # drawn; appeals filed after `on` are dropped: ~8% remain
COMPLAINED_SHARE: Final = 0.056  # decisions with a first complaint; later ones bring the rows to ~6%
FORGOTTEN_SHARE: Final = 0.01  # complaints never closed in the data
NAT: Final = np.datetime64("NaT", "D")
CHUNK_ROWS: Final = 50_000  # rows per executemany or COPY batch when loading a database

TABLE_COLUMNS: Final = {
    "advisors": ("id", "full_name", "email", "language", "team"),
    "beneficiaries": ("id", "full_name", "email", "language", "judicial_district", "advisor_id"),
    "decisions": DECISION_COLUMNS,
    "appeals": ("id", "decision_id", "forum", "filed_on"),
    "complaints": ("id", "decision_id", "filed_on", "closed_on"),
}


@dataclass(frozen=True)
class History:
    """Decisions, appeals and complaints as the engine gets them from deadlines.validate: dates as
    datetime64[ns] (NaT for NULL), appeal_info_complete as a nullable boolean."""

    on: dt.date
    decisions: pd.DataFrame
    appeals: pd.DataFrame
    complaints: pd.DataFrame
    beneficiaries: int

    def rows(self, table: str) -> list[tuple[Any, ...]]:
        """The rows of one contract table in TABLE_COLUMNS order: ISO text dates, None for NULL."""
        return [row for chunk in self.row_chunks(table, None) for row in chunk]

    def row_chunks(self, table: str, size: int | None = CHUNK_ROWS) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of one table, `size` at a time (all at once for None): a million rows as Python tuples
        take hundreds of MiB, a chunk of them a few dozen."""
        if table == "advisors":
            teams = ("Antwerpen", "Gent", "Brussel")
            yield [
                (i, f"Advisor {i}", f"advisor{i}@infino.example", "nl", teams[i % 3])
                for i in range(1, ADVISORS + 1)
            ]
            return
        if table == "beneficiaries":
            yield from _beneficiary_rows(self.beneficiaries, seed=self.beneficiaries, size=size)
            return
        frame = {"decisions": self.decisions, "appeals": self.appeals, "complaints": self.complaints}[table]
        step = size or max(1, len(frame))
        for start in range(0, len(frame), step):
            yield _frame_rows(frame.iloc[start : start + step], table)


def _frame_rows(frame: pd.DataFrame, table: str) -> list[tuple[Any, ...]]:
    columns = []
    for name in TABLE_COLUMNS[table]:
        values = frame[name]
        if pd.api.types.is_datetime64_dtype(values.dtype):
            columns.append(_iso(values.to_numpy(dtype="datetime64[D]")))
        else:
            columns.append(values.astype(object).where(values.notna(), None).tolist())
    return list(zip(*columns, strict=True))


def history(n: int, on: dt.date, seed: int = 20261126, years: float = 2.0) -> History:
    """n decisions taken over the `years` before `on` (uniformly), with their appeals and complaints."""
    rng = np.random.default_rng(seed)
    today = np.datetime64(on, "D")
    ids = np.arange(1, n + 1, dtype=np.int64)
    # Numbered in order of decision, as the fund's system would.
    decided = np.sort(today - rng.integers(1, int(365.25 * years) + 1, n).astype("timedelta64[D]"))
    kind = np.asarray(list(KIND_SHARES), dtype=object)[
        rng.choice(len(KIND_SHARES), n, p=list(KIND_SHARES.values()))
    ]
    months_back = rng.choice(np.array([0, 0, 1, 2]), n).astype("timedelta64[M]")
    period = (decided.astype("datetime64[M]") - months_back).astype("datetime64[D]")
    period_matters = np.isin(kind, [k for k in KINDS if period_cutoff(k) is not None])  # payments
    old_law = period_matters & (rng.random(n) < 0.005)  # late corrections of a 2018 period
    period[old_law] = np.datetime64("2018-01-01", "D") + rng.integers(0, 12, old_law.sum()).astype(
        "timedelta64[M]"
    ).astype("timedelta64[D]")
    notified = decided + rng.integers(1, 11, n).astype("timedelta64[D]")
    notified[(notified > today) | (rng.random(n) < 0.003)] = NAT
    withdrawn = np.where(rng.random(n) < 0.02, decided + rng.integers(3, 21, n).astype("timedelta64[D]"), NAT)
    withdrawn[withdrawn > today] = NAT
    complete = pd.array(rng.random(n) >= 0.05, dtype="boolean")  # NOT NULL in the contract

    forum = np.array([rule.forum for rule in RULES], dtype=object)[select_rules(kind, decided, period)[0]]
    eligible = np.flatnonzero(~np.isnat(notified) & np.isnat(withdrawn))

    chosen = rng.choice(eligible, min(round(APPEALED_SHARE * n), len(eligible)), replace=False)
    chosen.sort()
    own = rng.random(len(chosen)) < 0.95  # now and then an appeal to another forum (it does not count)
    appeal_forum = np.where(own, forum[chosen], rng.choice(["arbitration", "labour_court"], len(chosen)))
    appeal_filed = notified[chosen] + rng.integers(5, 81, len(chosen)).astype("timedelta64[D]")
    keep = appeal_filed <= today
    appeals = pd.DataFrame(
        {
            "decision_id": ids[chosen][keep],
            "forum": appeal_forum[keep].astype(object),
            "filed_on": appeal_filed[keep].astype("datetime64[ns]"),
        }
    )

    remaining = np.setdiff1d(eligible, chosen, assume_unique=True)
    complained = rng.choice(remaining, min(round(COMPLAINED_SHARE * n), len(remaining)), replace=False)
    filed = notified[complained] + rng.integers(1, 61, len(complained)).astype("timedelta64[D]")
    closed = _closing(rng, filed)
    parts = [(complained, filed, closed)]
    for share in (0.2, 0.1):  # a new complaint after the previous one closed: a second, now and then a third
        previous, _, previous_closed = parts[-1]
        again = ~np.isnat(previous_closed) & (rng.random(len(previous)) < share)
        filed = previous_closed[again] + rng.integers(1, 21, again.sum()).astype("timedelta64[D]")
        parts.append((previous[again], filed, _closing(rng, filed)))
    position = np.concatenate([p for p, _, _ in parts])
    filed, closed = np.concatenate([f for _, f, _ in parts]), np.concatenate([c for _, _, c in parts])
    keep = filed <= today
    closed[closed > today] = NAT  # closing after `on`: still open on `on`
    order = np.lexsort((filed[keep], position[keep]))
    complaints = pd.DataFrame(
        {
            "decision_id": ids[position[keep][order]],
            "filed_on": filed[keep][order].astype("datetime64[ns]"),
            "closed_on": closed[keep][order].astype("datetime64[ns]"),
        }
    )

    beneficiaries = max(1, n // 3)
    decisions = pd.DataFrame(
        {
            "id": ids,
            "beneficiary_id": rng.integers(1, beneficiaries + 1, n),
            "kind": kind,
            "decided_on": decided.astype("datetime64[ns]"),
            "period_start": period.astype("datetime64[ns]"),
            "notified_on": notified.astype("datetime64[ns]"),
            "appeal_info_complete": complete,
            "withdrawn_on": withdrawn.astype("datetime64[ns]"),
        }
    )
    appeals.insert(0, "id", np.arange(1, len(appeals) + 1))
    complaints.insert(0, "id", np.arange(1, len(complaints) + 1))
    return History(on, decisions, appeals, complaints, beneficiaries)


def insert_history(conn: Connection, data: History, tables: tuple[str, ...] = tuple(TABLE_COLUMNS)) -> None:
    """Insert these tables (existing; by default all five, empty) in the caller's transaction, a chunk of
    rows at a time: COPY on PostgreSQL, one executemany per chunk elsewhere; plain SQL only, as the fund's
    own systems would write."""
    for table in tables:
        columns = TABLE_COLUMNS[table]
        names = ", ".join(columns)
        for rows in data.row_chunks(table):
            if not rows:
                continue
            if conn.dialect.name == "postgresql":
                cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
                with cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
                conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
    if conn.dialect.name == "postgresql":
        # The identity columns of appeals and complaints were given explicit ids: move them past those.
        for table in ("appeals", "complaints"):
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT max(id) FROM {table}), 1))"
            )


def expired_history(base: History, factor: int, seed: int, years: float) -> Iterator[History]:
    """`factor - 1` chunks of as many decisions as `base`, for the same families, decided in the `years`
    before base's first decision (each chunk a slice of them), none of which can still have a window open,
    in grace or interrupted on base.on: every decision notified, every complaint closed. Ids follow base's.
    Added to base, they make a history `factor` times as long with the same open windows."""
    n = len(base.decisions)
    first = base.decisions["decided_on"].min().date() if n else base.on
    span = years / max(1, factor - 1)
    appeal_id, complaint_id = len(base.appeals), len(base.complaints)
    for chunk in range(1, factor):
        as_of = first - dt.timedelta(days=round(365.25 * span * (chunk - 1)))
        data = history(n, as_of, seed=seed + chunk, years=span)
        decisions, appeals, complaints = data.decisions, data.appeals, data.complaints
        never = decisions["notified_on"].isna()
        decisions.loc[never, "notified_on"] = decisions.loc[never, "decided_on"] + pd.Timedelta(days=3)
        still_open = complaints["closed_on"].isna()
        complaints.loc[still_open, "closed_on"] = complaints.loc[still_open, "filed_on"] + pd.Timedelta(
            days=30
        )
        decisions["id"] += chunk * n
        appeals["decision_id"] += chunk * n
        complaints["decision_id"] += chunk * n
        appeals["id"] += appeal_id
        complaints["id"] += complaint_id
        appeal_id, complaint_id = appeal_id + len(appeals), complaint_id + len(complaints)
        beneficiaries = base.beneficiaries
        decisions["beneficiary_id"] = (decisions["beneficiary_id"] - 1) % beneficiaries + 1
        yield History(base.on, decisions, appeals, complaints, beneficiaries)


def _closing(rng: np.random.Generator, filed: np.ndarray) -> np.ndarray:
    """Closing days: one to 45 days after filing (the caller opens those after `on` again); one complaint in
    a hundred is never closed in the data (forgotten), so open complaints are the recent ones and a few old."""
    forgotten = rng.random(len(filed)) < FORGOTTEN_SHARE
    return np.where(forgotten, NAT, filed + rng.integers(1, 46, len(filed)).astype("timedelta64[D]"))


def _iso(days: np.ndarray) -> list[str | None]:
    text = np.datetime_as_string(days, unit="D").astype(object)
    text[np.isnat(days)] = None
    return list(text)


def _beneficiary_rows(count: int, seed: int, size: int | None) -> Iterator[list[tuple[Any, ...]]]:
    rng = np.random.default_rng(seed)
    ids = np.arange(1, count + 1)
    language = rng.choice(list(LANGUAGE_SHARES), count, p=list(LANGUAGE_SHARES.values()))
    district = rng.choice(DISTRICTS, count)
    advisor = rng.integers(1, ADVISORS + 1, count).astype(object)
    advisor[rng.random(count) < 0.01] = None
    no_email = rng.random(count) < 0.08
    step = size or count
    for start in range(0, count, step):
        part = slice(start, start + step)
        yield [
            (i, f"Beneficiary {i}", None if missing else f"b{i}@mail.example", lang, place, adv)
            for i, missing, lang, place, adv in zip(
                ids[part].tolist(),
                no_email[part].tolist(),
                language[part].tolist(),
                district[part].tolist(),
                advisor[part],
                strict=True,
            )
        ]
