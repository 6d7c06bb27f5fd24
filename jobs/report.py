"""The supervisor report of a night: what the job saw, sent and could not do.

Written to `[report] out_dir/<day>/`: `report.html` for people, CSV files for spreadsheets and scripts:
`windows.csv` (every window scanned, with both deadlines), `grace.csv` (windows past the safe deadline but not
the latest: an appeal may still be admissible), `unreachable.csv` (families and advisors to write to or call),
`corrections.csv` (tonight's corrections of a deadline a family was given),
`problems.csv` (bad rows of the fund's tables, skipped one by one) and `deliveries.csv` (tonight's messages).
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, select

from deadlines.validate import Problem
from jobs.config import Settings
from jobs.folders import report_folder
from jobs.inputs import read_by_ids
from jobs.outbox.ids import report_message_prefix
from jobs.outbox.queue import queue_report_mail
from jobs.store import as_date, corrections, messages, reminders

WINDOW_COLUMNS = [
    "decision_id",
    "beneficiary_id",
    "kind",
    "forum",
    "status",
    "rule",
    "trigger_on",
    "safe_deadline",
    "latest_deadline",
    "days_left",
    "needs_confirmation",
]


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename: a reader never sees half a report."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.fchmod(fd, 0o600)  # names of families and advisors: readable by the owner only, whatever the umask
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet opens as data, never as a formula (OWASP, "CSV injection").

    Text that starts with = + - @ (or a tab or carriage return) gets a leading single quote. Numbers stay
    numbers: they are not text, and a text that is only a number ("-3") cannot carry a formula either.
    """
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    _write_atomic(path, buffer.getvalue())


DATE_COLUMNS = ("trigger_on", "safe_deadline", "latest_deadline")


def window_records(windows: pd.DataFrame) -> list[dict[str, Any]]:
    """The JSON shape of shared/contract.md section 3: ISO dates or null, ints, bools."""
    records = []
    rows: list[dict[str, Any]] = windows.reindex(columns=WINDOW_COLUMNS).to_dict("records")  # type: ignore[assignment]
    for row in rows:
        out: dict[str, Any] = {}
        for key, value in row.items():
            if key in DATE_COLUMNS:
                out[key] = None if pd.isna(value) else pd.Timestamp(value).date().isoformat()
            elif key == "days_left":
                out[key] = None if pd.isna(value) else int(value)
            elif key in ("decision_id", "beneficiary_id"):
                out[key] = int(value)
            elif key == "needs_confirmation":
                out[key] = bool(value)
            else:
                out[key] = value
        records.append(out)
    return records


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> str:
    if not rows:
        return f"<p class='empty'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


TO_CALL_COLUMNS = [
    "decision_id", "forum", "safe_deadline", "days_left", "stage", "who", "recipient_id", "name", "reason",
    "advisor_id",
]  # fmt: skip
DELIVERY_COLUMNS = [
    "message_id", "kind", "recipient_kind", "recipient_id", "language", "status", "attempts", "answer"
]  # fmt: skip


def _names(conn: Connection, table: str, ids: set[int]) -> dict[int, tuple[str, Any]]:
    """(full_name, advisor_id or None) by id, read with the same bound-id queries as the night's run."""
    if not ids:
        return {}
    columns = ["id", "full_name", "advisor_id"] if table == "beneficiaries" else ["id", "full_name"]
    frame = read_by_ids(conn, f"{table}_of", ids, columns)
    return {int(r["id"]): (r["full_name"], r.get("advisor_id")) for r in frame.to_dict("records")}


def _to_call(conn: Connection, on: date, windows: pd.DataFrame) -> list[list[Any]]:
    """Who needs a letter or a call, read from the ledger, so that a rerun of the night reports the same.

    Stages due tonight without a usable address; reminders refused by the server or expired in the outbox
    whose window is still open or in grace (the family still has time and was not told); and reminders
    that expired in the outbox in the last two weeks, even past the latest deadline (the family was not told).
    """
    alive = windows[windows["status"].isin(["open", "grace"])]
    live = {
        (int(d), str(f), pd.Timestamp(sd).date())
        for d, f, sd in zip(alive["decision_id"], alive["forum"], alive["safe_deadline"], strict=True)
    }
    unreachable = (
        conn.execute(select(reminders).where(reminders.c.due_on == on, reminders.c.status == "unreachable"))
        .mappings()
        .all()
    )
    missed = (
        conn.execute(
            select(reminders, messages.c.status.label("message_status"), messages.c.last_answer)
            .join(messages, messages.c.id == reminders.c.message_pk)
            .where(messages.c.status.in_(("failed", "expired")), messages.c.kind == "reminder")
        )
        .mappings()
        .all()
    )
    rows = [(r, str(r["detail"] or "")) for r in unreachable]
    rows += [
        (r, f"{'refused by the mail server' if r['message_status'] == 'failed' else 'not sent before its deadline'}: {r['last_answer']}")
        for r in missed
        if (int(r["decision_id"]), str(r["forum"]), as_date(r["safe_deadline"])) in live
        # a reminder that never went out before a deadline of the last two weeks: the family was not told
        or (r["message_status"] == "expired" and as_date(r["safe_deadline"]) >= on - timedelta(days=14))
    ]  # fmt: skip
    people = _names(
        conn,
        "beneficiaries",
        {int(r["recipient_id"]) for r, _ in rows if r["recipient_kind"] == "beneficiary"},
    )
    advisors = _names(
        conn, "advisors", {int(r["recipient_id"]) for r, _ in rows if r["recipient_kind"] == "advisor"}
    )
    out = []
    for r, reason in sorted(rows, key=lambda x: (as_date(x[0]["safe_deadline"]), x[0]["decision_id"])):
        who = str(r["recipient_kind"])
        name, advisor = (people if who == "beneficiary" else advisors).get(
            int(r["recipient_id"]), ("(unknown)", None)
        )
        deadline = as_date(r["safe_deadline"])
        out.append([r["decision_id"], r["forum"], deadline.isoformat(), (deadline - on).days, r["stage"], who,
                    r["recipient_id"], name, reason, None if who == "advisor" else _py_int(advisor)])  # fmt: skip
    return out


def _deliveries(conn: Connection, on: date) -> list[list[Any]]:
    """Messages planned for tonight, those still waiting in the outbox, and tonight's report copies."""
    tonight = select(reminders.c.message_pk).where(
        reminders.c.due_on == on, reminders.c.message_pk.is_not(None)
    )
    rows = conn.execute(
        select(messages.c.message_id, messages.c.kind, messages.c.recipient_kind, messages.c.recipient_id,
               messages.c.language, messages.c.status, messages.c.attempts, messages.c.last_answer)
        .where(
            messages.c.id.in_(tonight)
            | messages.c.status.in_(("pending", "sending"))
            | messages.c.message_id.like(f"{report_message_prefix(on)}%")
        )
        .order_by(messages.c.id)
    ).all()  # fmt: skip
    return [list(r) for r in rows]


CORRECTION_COLUMNS = [
    "decision_id",
    "forum",
    "beneficiary_id",
    "old_deadline",
    "new_deadline",
    "why",
    "status",
]


def _corrections(conn: Connection, on: date) -> list[list[Any]]:
    """Tonight's corrections (jobs.corrections): a deadline a family was given changed; with the notice's
    status (sent, pending, ...), or `unreachable` when the family has no usable address."""
    rows = conn.execute(
        select(corrections.c.decision_id, corrections.c.forum, corrections.c.recipient_id,
               corrections.c.old_deadline, corrections.c.new_deadline, corrections.c.why, corrections.c.status,
               messages.c.status.label("message_status"))
        .outerjoin(messages, messages.c.id == corrections.c.message_pk)
        .where(corrections.c.due_on == on)
        .order_by(corrections.c.new_deadline, corrections.c.decision_id)
    ).all()  # fmt: skip
    return [
        [r.decision_id, r.forum, r.recipient_id, as_date(r.old_deadline).isoformat(),
         as_date(r.new_deadline).isoformat(), r.why, r.message_status or r.status]
        for r in rows
    ]  # fmt: skip


def _py_int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def write_report(
    engine: Engine,
    settings: Settings,
    on: date,
    windows: pd.DataFrame,
    bad_rows: Sequence[Problem],
    out_dir: str | None = None,
    mail: bool = False,
) -> list[str]:
    """Write the night's report of tonight's `windows` and the `bad_rows` met reading them; with `mail`, queue
    it for the supervisors. Returns the paths, HTML first."""
    root = report_folder(settings, on, out_dir)
    rows = [
        list(record.values()) for record in window_records(windows)
    ]  # the shape `windows --format csv` has
    _csv(root / "windows.csv", WINDOW_COLUMNS, rows)
    grace = [row for row in rows if row[WINDOW_COLUMNS.index("status")] == "grace"]
    _csv(root / "grace.csv", WINDOW_COLUMNS, grace)
    with engine.connect() as conn:
        unreachable = _to_call(conn, on, windows)
        sent = _deliveries(conn, on)
        corrected = _corrections(conn, on)
    _csv(root / "unreachable.csv", TO_CALL_COLUMNS, unreachable)
    problems = [
        [p.table, p.row_id, p.column, p.message, "skipped" if p.skipped else "used"] for p in bad_rows
    ]
    _csv(root / "problems.csv", ["table", "row_id", "column", "problem", "row"], problems)
    _csv(root / "deliveries.csv", DELIVERY_COLUMNS, sent)
    _csv(root / "corrections.csv", CORRECTION_COLUMNS, corrected)

    # Windows as computed now; stages and messages as the ledger holds them for the night, so that a rerun
    # of the night, or `appealwatch report` the morning after, shows the same numbers.
    statuses = windows["status"].value_counts() if not windows.empty else pd.Series(dtype="int64")
    with engine.connect() as conn:
        stages: dict[str, int] = dict(
            conn.execute(
                select(reminders.c.status, func.count())
                .where(reminders.c.due_on == on)
                .group_by(reminders.c.status)
            ).all()
        )
    by_status = Counter(str(row[5]) for row in sent)
    stats = {
        "windows scanned": len(windows),
        **{f"windows {k}": int(v) for k, v in sorted(statuses.items())},
        **{f"stages {k} tonight": int(v) for k, v in sorted(stages.items())},
        **{f"messages {k}": v for k, v in sorted(by_status.items())},
        "bad rows": len(problems),
    }
    counts = [[k, v] for k, v in stats.items()]
    # Not the supervisors' copies of this very page: one waiting is the page being written again to go out.
    waiting = [row for row in sent if row[5] == "pending" and row[1] != "report"]
    if waiting:
        last = next((str(row[7]) for row in reversed(waiting) if row[7]), "no answer yet")
        delivery_note = (
            f"<p><strong>{len(waiting)} message(s) still wait in the outbox.</strong> The mail server's last "
            f"answer: <code>{html.escape(last)}</code>. Fix the cause (the [smtp] settings, or the relay), then "
            "run <code>appealwatch deliver</code>, or let the next night send them.</p>"
        )
    else:
        delivery_note = "<p>Nothing waits in the outbox.</p>"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>appealwatch report {on}</title>
<style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}th{{background:#eef}}.empty{{color:#666}}</style>
</head><body>
<h1>appealwatch: night of {on}</h1>
<h2>Counts</h2>{_table(["what", "how many"], counts, "")}
<h2>To write to or call ({len(unreachable)})</h2>
<p>A reminder was due tonight but there is no usable e-mail address, or a reminder was refused by the mail
server or could not go out before its deadline while the window is still open or in grace: send a letter or call.</p>
{_table(TO_CALL_COLUMNS, unreachable, "Nobody tonight.")}
<h2>Corrections ({len(corrected)})</h2>
<p>A deadline a family was given by e-mail changed (a complaint recorded, a notification date corrected): each
family was sent one correction notice tonight, or is listed to write to or call.</p>
{_table(CORRECTION_COLUMNS, corrected, "No correction tonight.")}
<h2>In grace ({len(grace)})</h2>
<p>The safe deadline has passed but the latest reading has not: an appeal may still be admissible.</p>
{_table(WINDOW_COLUMNS, grace, "No window in grace.")}
<h2>Bad rows in the fund's tables ({len(problems)})</h2>
<p>Each was handled on its own (skipped, or used as the problem says); the rest of the run went on.</p>
{_table(["table", "row", "column", "problem", "row"], problems, "None.")}
<h2>Delivery</h2>
{delivery_note}
<h2>Tonight's messages ({len(sent)})</h2>
<p>Planned tonight, still waiting in the outbox, and the supervisors' copies.</p>
{_table(DELIVERY_COLUMNS, sent, "None.")}
<p>Every window scanned, with both deadlines: windows.csv.</p>
</body></html>
"""
    _write_atomic(root / "report.html", page)
    if mail and settings.report.recipients:
        summary = (
            f"appealwatch, night of {on}: {len(unreachable)} to write to or call, {len(grace)} in grace, "
            f"{len(problems)} bad row(s), {by_status['sent']} message(s) sent, {by_status['failed']} failed."
        )
        subject = (
            f"appealwatch report {on}: {len(unreachable)} to write to or call, {by_status['failed']} failed"
        )
        with engine.begin() as conn:
            queue_report_mail(conn, settings, on, subject, summary, page)
    return [str(root / "report.html"), str(root)]
