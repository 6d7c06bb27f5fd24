"""Rows for the fund's five tables, written with plain SQL as the fund's own systems would."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text


def advisor(
    conn: Connection, ident: int, name: str, email: str | None, language: str = "nl", team: str = "Gent"
) -> int:
    conn.execute(
        text("INSERT INTO advisors (id, full_name, email, language, team) VALUES (:i, :n, :e, :l, :t)"),
        {"i": ident, "n": name, "e": email, "l": language, "t": team},
    )
    return ident


def beneficiary(
    conn: Connection,
    ident: int,
    name: str,
    email: str | None,
    language: str = "nl",
    advisor_id: int | None = None,
    district: str | None = "Gent",
) -> int:
    conn.execute(
        text(
            "INSERT INTO beneficiaries (id, full_name, email, language, judicial_district, advisor_id) "
            "VALUES (:i, :n, :e, :l, :d, :a)"
        ),
        {"i": ident, "n": name, "e": email, "l": language, "d": district, "a": advisor_id},
    )
    return ident


def decision(
    conn: Connection,
    ident: int,
    beneficiary_id: int,
    kind: str,
    notified_on: date | None,
    decided_on: date | None = None,
    period_start: date | None = None,
    appeal_info_complete: bool = True,
    withdrawn_on: date | None = None,
) -> int:
    decided = decided_on or notified_on or date(2025, 1, 1)
    conn.execute(
        text(
            "INSERT INTO decisions (id, beneficiary_id, kind, decided_on, period_start, notified_on, "
            "appeal_info_complete, withdrawn_on) VALUES (:i, :b, :k, :d, :p, :n, :c, :w)"
        ),
        {
            "i": ident,
            "b": beneficiary_id,
            "k": kind,
            "d": decided,
            "p": period_start or decided,
            "n": notified_on,
            "c": appeal_info_complete,
            "w": withdrawn_on,
        },
    )
    return ident


def appeal(conn: Connection, decision_id: int, forum: str, filed_on: date) -> None:
    conn.execute(
        text("INSERT INTO appeals (decision_id, forum, filed_on) VALUES (:d, :f, :o)"),
        {"d": decision_id, "f": forum, "o": filed_on},
    )


def complaint(conn: Connection, decision_id: int, filed_on: date, closed_on: date | None = None) -> None:
    conn.execute(
        text("INSERT INTO complaints (decision_id, filed_on, closed_on) VALUES (:d, :f, :c)"),
        {"d": decision_id, "f": filed_on, "c": closed_on},
    )
