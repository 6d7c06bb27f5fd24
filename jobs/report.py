"""The supervisor report of a night: what the job saw, sent and could not do.

Written to `[report] out_dir/<day>/`: `report.html` for people, CSV files for spreadsheets and scripts:
`windows.csv` (every window scanned, with both deadlines), `grace.csv` (windows past the safe deadline but not
the latest: an appeal may still be admissible), `unreachable.csv` (families and advisors to write to or call),
`problems.csv` (bad rows of the fund's tables, skipped one by one) and `deliveries.csv` (tonight's messages).
"""

from __future__ import annotations

import csv
import hashlib
import html
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy import Connection, Engine, select

from jobs.config import Settings
from jobs.runlog import now_utc
from jobs.store import messages

if TYPE_CHECKING:
    from jobs.nightly import NightResult

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
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def _csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None or (not isinstance(v, str) and pd.isna(v)) else v for v in row])
    _write_atomic(path, buffer.getvalue())


def _iso(value: Any) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> str:
    if not rows:
        return f"<p class='empty'>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(
    engine: Engine, settings: Settings, on: date, result: NightResult, out_dir: str | None = None
) -> list[str]:
    """Write the night's report; returns the paths written, the HTML first."""
    root = settings.resolve(out_dir or settings.report.out_dir) / on.isoformat()
    root.mkdir(parents=True, exist_ok=True)
    windows = result.windows
    rows = [[_iso(v) if c in ("trigger_on", "safe_deadline", "latest_deadline") else v for c, v in zip(WINDOW_COLUMNS, r, strict=True)]
            for r in windows.reindex(columns=WINDOW_COLUMNS).itertuples(index=False, name=None)]  # fmt: skip
    _csv(root / "windows.csv", WINDOW_COLUMNS, rows)
    grace = [r for r in rows if r[4] == "grace"]
    _csv(root / "grace.csv", WINDOW_COLUMNS, grace)
    unreachable_header = [
        "decision_id",
        "forum",
        "safe_deadline",
        "days_left",
        "stage",
        "who",
        "name",
        "reason",
        "advisor_id",
    ]
    unreachable = [
        [u["decision_id"], u["forum"], _iso(u["safe_deadline"]), u["days_left"], u["stage"],
         u.get("recipient", "beneficiary"), u.get("beneficiary_name", ""), u["reason"], u.get("advisor_id")]
        for u in result.plan.unreachable
    ]  # fmt: skip
    _csv(root / "unreachable.csv", unreachable_header, unreachable)
    problems = [
        [p.table, p.row_id, p.column, p.message, "skipped" if p.skipped else "used"] for p in result.problems
    ]
    _csv(root / "problems.csv", ["table", "row_id", "column", "problem", "row"], problems)
    ids = [m.message_id for m in result.plan.messages]
    with engine.connect() as conn:
        sent = conn.execute(
            select(messages.c.message_id, messages.c.kind, messages.c.recipient_kind, messages.c.recipient_id,
                   messages.c.language, messages.c.status, messages.c.attempts, messages.c.last_answer)
            .where(messages.c.message_id.in_(ids))
            .order_by(messages.c.id)
        ).all() if ids else []  # fmt: skip
    delivery_header = [
        "message_id",
        "kind",
        "recipient_kind",
        "recipient_id",
        "language",
        "status",
        "attempts",
        "answer",
    ]
    _csv(root / "deliveries.csv", delivery_header, [list(r) for r in sent])

    stats = result.stats()
    counts = [[k.replace("_", " "), v] for k, v in stats.items()]
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>appealwatch report {on}</title>
<style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;margin:1em 0}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}th{{background:#eef}}.empty{{color:#666}}</style>
</head><body>
<h1>appealwatch: night of {on}</h1>
<h2>Counts</h2>{_table(["what", "how many"], counts, "")}
<h2>To write to or call ({len(unreachable)})</h2>
<p>Reminders were due, but there is no usable e-mail address: send a letter or call.</p>
{_table(unreachable_header, unreachable, "Nobody tonight.")}
<h2>In grace ({len(grace)})</h2>
<p>The safe deadline has passed but the latest reading has not: an appeal may still be admissible.</p>
{_table(WINDOW_COLUMNS, grace, "No window in grace.")}
<h2>Bad rows in the fund's tables ({len(problems)})</h2>
<p>Each was handled on its own (skipped, or used as the problem says); the rest of the run went on.</p>
{_table(["table", "row", "column", "problem", "row"], problems, "None.")}
<h2>Tonight's messages ({len(sent)})</h2>
{_table(delivery_header, [list(r) for r in sent], "None.")}
<p>Every window scanned, with both deadlines: windows.csv.</p>
</body></html>
"""
    _write_atomic(root / "report.html", page)
    if settings.report.recipients:
        summary = (
            f"appealwatch, night of {on}: {len(unreachable)} to write to or call, {len(grace)} in grace, "
            f"{len(problems)} bad row(s), {stats.get('sent', 0)} message(s) sent, {stats.get('failed', 0)} failed."
        )
        subject = f"appealwatch report {on}: {len(unreachable)} to write to or call, {stats.get('failed', 0)} failed"
        with engine.begin() as conn:
            queue_report_mail(conn, settings, on, subject, summary, page)
    return [str(root / "report.html"), str(root)]


def queue_report_mail(
    conn: Connection, settings: Settings, on: date, subject: str, summary: str, page: str
) -> None:
    """One report mail per supervisor per night, through the same outbox (so: once, and retried)."""
    from jobs.plan import insert_for, message_domain

    domain = message_domain(settings.smtp.sender)
    rows = []
    for address in settings.report.recipients:
        digest = hashlib.sha256(address.lower().encode()).hexdigest()[:10]
        rows.append(
            {
                "message_id": f"<aw.report.{on:%Y%m%d}.{digest}@{domain}>",
                "kind": "report",
                "recipient_kind": "supervisor",
                "recipient_id": None,
                "to_name": "",
                "to_addr": address,
                "language": "en",
                "subject": subject,
                "body_text": summary
                + "\n\nThe full report is the HTML version of this mail; it and its CSV files are in "
                f"{settings.resolve(settings.report.out_dir) / on.isoformat()}.\n",
                "body_html": page,
                "status": "pending",
                "not_after": None,
                "attempts": 0,
                "created_at": now_utc(),
            }
        )
    conn.execute(insert_for(conn)(messages).on_conflict_do_nothing(index_elements=["message_id"]), rows)


def write_report_command(settings: Settings, on: date, out_dir: str | None) -> int:
    """`appealwatch report`: the same report as a run, computed afresh, sending and recording nothing."""
    from jobs.db import make_engine
    from jobs.nightly import plan_night

    engine = make_engine(settings.database.url)
    result = plan_night(engine, settings, on)
    paths = write_report(engine, settings, on, result, out_dir)
    print(f"report: {paths[0]}")
    return result.exit_code
